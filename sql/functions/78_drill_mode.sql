-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- A drill's own mode switch (issue 14; migration 057; the mode in force
-- for a session is mode_now(), 25_mode_now.sql). A drill session (cityops.drill set to a
-- running run) that switches mode writes the drill's mode, never the real
-- one: mode_set sends it here, and the real mode table refuses drill
-- sessions whatever path they take (drill_mode_guard, 60_drills.sql).

-- Records a drill's switch, checked by mode_set (its only caller, which
-- runs as the owner). Called directly by an operator it fails: operators
-- may not write drill_mode. The run must be the session's and running.
-- Audited as drill.mode (tagged with the run, so drill clear removes it)
-- and announced as a drill change record (exercise; desks ignore it).
CREATE OR REPLACE FUNCTION cityops.drill_mode_record(p_mode text, p_level text, p_kind text,
	p_reason text)
RETURNS void
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_run bigint := drill_session();
BEGIN
	IF NOT EXISTS (SELECT 1 FROM drill_run r WHERE r.id = v_run AND r.state = 'running') THEN
		RAISE EXCEPTION USING ERRCODE = 'CO003',
			MESSAGE = format('no running drill %s; the real mode cannot be switched from a drill session',
				v_run),
			HINT = 'a drill switches its own mode while it runs (cityops drill run)';
	END IF;
	INSERT INTO drill_mode (drill_run, mode, level, kind, reason, set_by, set_at)
		VALUES (v_run, p_mode, p_level, p_kind, p_reason, session_user, cityops.now());
	PERFORM audit_log('drill.mode', v_run::text, jsonb_strip_nulls(jsonb_build_object(
		'mode', p_mode, 'level', p_level, 'kind', p_kind, 'reason', p_reason)));
	PERFORM change_emit('drill', v_run::text, NULL, NULL, true,
		jsonb_strip_nulls(jsonb_build_object('t', 'drill', 'id', v_run, 'mode', p_mode,
			'level', p_level)));
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
