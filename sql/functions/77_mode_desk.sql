-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Emergency mode on the desk (issue 14; migrations 001 mode, 051
-- mode_policy): the mode in force as every console reads it, with who
-- switched it, since when (epoch seconds, so the console formats it in its
-- display zone and counts how long), and the categories the desk shows
-- first: indicator category NAMES for the vital signs (as vitals() names
-- them) and incident category codes for the queue, in the policy's order,
-- joined by chr(31). Peace, or a kind without a policy: both empty. A
-- drill's own sessions read the drill's mode (mode_now(), migration 057).
CREATE OR REPLACE FUNCTION cityops.mode_desk()
RETURNS TABLE (mode text, level text, kind text, reason text, set_by name,
	set_at timestamptz, since_epoch bigint, vitals_first text, incidents_first text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM caller();
	RETURN QUERY
	SELECT m.mode, m.level, m.kind, m.reason, m.set_by, m.set_at,
		extract(epoch FROM m.set_at)::bigint,
		coalesce((SELECT string_agg(coalesce(c.name, v.code), chr(31) ORDER BY v.n)
			FROM unnest(p.vitals_first) WITH ORDINALITY v(code, n)
			LEFT JOIN indicator_category c ON c.code = v.code), ''),
		coalesce(array_to_string(p.incidents_first, chr(31)), '')
	FROM mode_now() m
	LEFT JOIN mode_policy p ON m.mode = 'emergency'
		AND (p.kind, p.level) = (m.kind, m.level);
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
