-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The mode in force (issue 14; migrations 001 mode, 057 drill_mode), read
-- by mode_get, mode_desk, sla_for and escalation_policy_in_force, so that
-- a drill's own sessions see the drill's mode and every other session the
-- real one. Defined before them: SQL-language bodies are checked when
-- they are created.

-- The mode in force for this session: in a drill session, the drill's
-- latest switch when it made one; otherwise (and for every other
-- session) the real mode. drill_run says which: NULL for the real mode.
CREATE OR REPLACE FUNCTION cityops.mode_now()
RETURNS TABLE (mode text, level text, kind text, reason text, set_by name,
	set_at timestamptz, drill_run bigint)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT x.mode, x.level, x.kind, x.reason, x.set_by, x.set_at, x.drill_run
	FROM ((SELECT d.mode, d.level, d.kind, d.reason, d.set_by, d.set_at, d.drill_run, 0 AS o
		FROM drill_mode d WHERE d.drill_run = drill_session()
		ORDER BY d.id DESC LIMIT 1)
	UNION ALL
	(SELECT m.mode, m.level, m.kind, m.reason, m.set_by, m.set_at, NULL::bigint, 1
		FROM mode m ORDER BY m.id DESC LIMIT 1)) x
	ORDER BY x.o LIMIT 1
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
