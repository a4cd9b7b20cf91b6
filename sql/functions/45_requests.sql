-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Request ids (migration 031). A changing command is sent as one of the
-- request_* wrappers below, one statement in its own transaction: claim
-- the id, run the command, record its result, commit. After an unknown
-- outcome the client settles it with request_get(id).

-- Claims a request id for the caller in the current transaction. A second
-- claim of the same id waits for the transaction holding it; if that one
-- committed, CO008 (the command was already applied: look it up), so a
-- duplicate never applies twice.
CREATE OR REPLACE FUNCTION cityops.request_claim(p_id uuid, p_command text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'viewer', 'a command');
	IF p_id IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'a request id is required';
	END IF;
	PERFORM check_length('command', p_command, 200);
	BEGIN
		INSERT INTO request (id, login, command) VALUES (p_id, me.login, p_command);
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION USING ERRCODE = 'CO008',
			MESSAGE = format('request %s was already applied', p_id),
			HINT = 'look it up with request_get';
	END;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.request_claim(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.request_claim(uuid, text) TO cityops_user;

-- Records the result (first row, as column names and text values) of the
-- request the caller claimed in this transaction.
CREATE OR REPLACE FUNCTION cityops.request_done(p_id uuid, p_names text[], p_vals text[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'viewer', 'a command');
	UPDATE request SET names = p_names, vals = p_vals
		WHERE id = p_id AND login = me.login AND names IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001',
			MESSAGE = format('no open request %s', p_id);
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.request_done(uuid, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.request_done(uuid, text[], text[]) TO cityops_user;

-- The caller's recorded request, if it committed: no row otherwise.
CREATE OR REPLACE FUNCTION cityops.request_get(p_id uuid)
RETURNS TABLE (id uuid, command text, at timestamptz, names text[], vals text[])
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT r.id, r.command, r.at, r.names, r.vals FROM cityops.request r WHERE r.id = p_id
$$;
REVOKE EXECUTE ON FUNCTION cityops.request_get(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.request_get(uuid) TO cityops_user;

-- The write API with a request id: each claims p_request, runs the
-- command and records its result in the same transaction.
CREATE OR REPLACE FUNCTION cityops.request_raise(p_request uuid, p_category text,
	p_priority int, p_region text, p_title text, p_location text DEFAULT '',
	p_description text DEFAULT '', p_source text DEFAULT 'officer',
	p_dedup_key text DEFAULT NULL, p_exercise bool DEFAULT false)
RETURNS TABLE (ref text, merged bool)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM request_claim(p_request, 'raise');
	SELECT r.ref, r.merged INTO ref, merged FROM incident_raise(p_category, p_priority,
		p_region, p_title, p_location, p_description, p_source, p_dedup_key, p_exercise) r;
	PERFORM request_done(p_request, ARRAY['ref', 'merged'], ARRAY[ref, merged::text]);
	RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION cityops.request_act(p_request uuid, p_incident text,
	p_action text, p_note text DEFAULT NULL, p_units text[] DEFAULT NULL)
RETURNS TABLE (ref text, from_state text, to_state text)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM request_claim(p_request, 'act ' || coalesce(p_action, ''));
	SELECT a.ref, a.from_state, a.to_state INTO ref, from_state, to_state
		FROM incident_act(p_incident, p_action, p_note, p_units) a;
	PERFORM request_done(p_request, ARRAY['ref', 'from_state', 'to_state'],
		ARRAY[ref, from_state, to_state]);
	RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION cityops.request_unit_set(p_request uuid, p_unit text,
	p_status text, p_note text DEFAULT NULL)
RETURNS TABLE (callsign text, from_status text, to_status text)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM request_claim(p_request, 'unit status');
	SELECT u.callsign, u.from_status, u.to_status INTO callsign, from_status, to_status
		FROM unit_set_status(p_unit, p_status, p_note) u;
	PERFORM request_done(p_request, ARRAY['callsign', 'from_status', 'to_status'],
		ARRAY[callsign, from_status, to_status]);
	RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION cityops.request_mode_set(p_request uuid, p_mode text,
	p_level text DEFAULT NULL, p_kind text DEFAULT NULL, p_reason text DEFAULT NULL)
RETURNS TABLE (mode text, level text)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM request_claim(p_request, 'mode');
	SELECT m.mode, m.level INTO mode, level FROM mode_set(p_mode, p_level, p_kind, p_reason) m;
	PERFORM request_done(p_request, ARRAY['mode', 'level'], ARRAY[mode, level]);
	RETURN NEXT;
END
$$;

-- Drills (sql/functions/60_drills.sql): start, finish and clear with a
-- request id, so a drill whose link dies in the COMMIT of one of them is
-- settled like any other command, never started, finished or cleared
-- twice.
CREATE OR REPLACE FUNCTION cityops.request_drill_start(p_request uuid, p_name text,
	p_title text, p_speed numeric)
RETURNS TABLE (id bigint, clock_start timestamptz, lead_s numeric)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM request_claim(p_request, 'drill start');
	SELECT d.id, d.clock_start, d.lead_s INTO id, clock_start, lead_s
		FROM drill_start(p_name, p_title, p_speed) d;
	PERFORM request_done(p_request, ARRAY['id', 'clock_start', 'lead_s'],
		ARRAY[id::text, clock_start::text, lead_s::text]);
	RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION cityops.request_drill_finish(p_request uuid, p_run bigint,
	p_state text, p_clock_end timestamptz, p_held int, p_failed int, p_report jsonb)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM request_claim(p_request, 'drill finish');
	SELECT d.id, d.state INTO id, state
		FROM drill_finish(p_run, p_state, p_clock_end, p_held, p_failed, p_report) d;
	PERFORM request_done(p_request, ARRAY['id', 'state'], ARRAY[id::text, state]);
	RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION cityops.request_drill_clear(p_request uuid, p_drill text)
RETURNS TABLE (incidents int, events int)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM request_claim(p_request, 'drill clear');
	SELECT d.incidents, d.events INTO incidents, events FROM drill_clear(p_drill) d;
	PERFORM request_done(p_request, ARRAY['incidents', 'events'],
		ARRAY[incidents::text, events::text]);
	RETURN NEXT;
END
$$;

DROP POLICY IF EXISTS own ON cityops.request;
CREATE POLICY own ON cityops.request FOR SELECT TO cityops_user
	USING (login = session_user);

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
