-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Drills (docs/drills.md; migration 008 states the rules): the fence that
-- keeps a drill session to exercise data, the runs, their reports, and
-- clearing a drill's data.

-- The run an exercise record made now belongs to: the session's, else the
-- newest running drill (people at live consoles joining in), else NULL.
CREATE OR REPLACE FUNCTION cityops.drill_current() RETURNS bigint
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT coalesce(drill_session(),
		(SELECT max(id) FROM drill_run WHERE state = 'running'))
$$;

CREATE OR REPLACE FUNCTION cityops.drill_fence_error(p_what text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CO003',
		MESSAGE = format('%s is real; a drill may touch only exercise (演练) data', p_what),
		HINT = 'drills raise exercise incidents and use exercise units (EX-…) and indicators (ex.…)';
END
$$;

-- ------------------------------------------------------------------------
-- The fence and the tags, as triggers.
CREATE OR REPLACE FUNCTION cityops.drill_incident_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_run bigint := drill_session();
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF v_run IS NOT NULL AND NOT NEW.exercise THEN
			PERFORM drill_fence_error('a non-exercise incident');
		END IF;
		IF NEW.exercise AND NEW.drill_run IS NULL THEN
			NEW.drill_run := drill_current();
		END IF;
	ELSIF v_run IS NOT NULL AND NOT OLD.exercise THEN
		PERFORM drill_fence_error('incident ' || OLD.ref);
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS incident_drill_guard ON cityops.incident;
CREATE TRIGGER incident_drill_guard BEFORE INSERT OR UPDATE ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.drill_incident_guard();
ALTER TABLE cityops.incident ENABLE ALWAYS TRIGGER incident_drill_guard;

CREATE OR REPLACE FUNCTION cityops.drill_unit_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF drill_session() IS NOT NULL AND NOT OLD.exercise THEN
		PERFORM drill_fence_error('unit ' || OLD.callsign);
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS unit_drill_guard ON cityops.unit;
CREATE TRIGGER unit_drill_guard BEFORE UPDATE ON cityops.unit
	FOR EACH ROW EXECUTE FUNCTION cityops.drill_unit_guard();
ALTER TABLE cityops.unit ENABLE ALWAYS TRIGGER unit_drill_guard;

-- An exercise unit never serves a real incident; a fenced session never
-- assigns a real unit. (People may still send a real unit to an exercise
-- incident on purpose — a live-unit exercise, 实兵演练 — as the demo does.)
CREATE OR REPLACE FUNCTION cityops.drill_assignment_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_unit unit;
	v_exercise bool;
BEGIN
	SELECT * INTO v_unit FROM unit WHERE id = NEW.unit_id;
	SELECT exercise INTO v_exercise FROM incident WHERE id = NEW.incident_id;
	IF v_unit.exercise AND NOT v_exercise THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('unit %s is an exercise (演练) unit; it cannot serve a real incident',
				v_unit.callsign),
			HINT = 'recommend lists the real units available';
	END IF;
	IF drill_session() IS NOT NULL AND NOT v_unit.exercise THEN
		PERFORM drill_fence_error('unit ' || v_unit.callsign);
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS assignment_drill_guard ON cityops.assignment;
CREATE TRIGGER assignment_drill_guard BEFORE INSERT ON cityops.assignment
	FOR EACH ROW EXECUTE FUNCTION cityops.drill_assignment_guard();
ALTER TABLE cityops.assignment ENABLE ALWAYS TRIGGER assignment_drill_guard;

CREATE OR REPLACE FUNCTION cityops.drill_mode_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF cityops.drill_session() IS NOT NULL THEN
		PERFORM cityops.drill_fence_error('the operating mode');
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS mode_drill_guard ON cityops.mode;
CREATE TRIGGER mode_drill_guard BEFORE INSERT ON cityops.mode
	FOR EACH ROW EXECUTE FUNCTION cityops.drill_mode_guard();
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_drill_guard;

-- Statement-level, so the ingest path pays one setting lookup per batch.
CREATE OR REPLACE FUNCTION cityops.drill_reading_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_id text;
BEGIN
	IF drill_session() IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT n.indicator_id INTO v_id FROM new_rows n JOIN indicator i ON i.id = n.indicator_id
		WHERE NOT i.exercise LIMIT 1;
	IF v_id IS NOT NULL THEN
		PERFORM drill_fence_error('indicator ' || v_id);
	END IF;
	RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS reading_drill_guard ON cityops.reading;
CREATE TRIGGER reading_drill_guard AFTER INSERT ON cityops.reading
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.drill_reading_guard();
ALTER TABLE cityops.reading ENABLE ALWAYS TRIGGER reading_drill_guard;

CREATE OR REPLACE FUNCTION cityops.drill_alarm_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF drill_session() IS NOT NULL
			AND NOT (SELECT exercise FROM indicator WHERE id = OLD.indicator_id) THEN
		PERFORM drill_fence_error('the alarm on ' || OLD.indicator_id);
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS alarm_drill_guard ON cityops.alarm;
CREATE TRIGGER alarm_drill_guard BEFORE UPDATE ON cityops.alarm
	FOR EACH ROW EXECUTE FUNCTION cityops.drill_alarm_guard();
ALTER TABLE cityops.alarm ENABLE ALWAYS TRIGGER alarm_drill_guard;

-- Audit rows about exercise data are marked and tagged with their run, so
-- that drill_clear can find them and nothing else.
CREATE OR REPLACE FUNCTION cityops.drill_audit_tag() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_run bigint;
	v_exercise bool := false;
BEGIN
	IF NEW.action LIKE 'incident.%' THEN
		SELECT exercise, drill_run INTO v_exercise, v_run FROM incident WHERE ref = NEW.object;
	ELSIF NEW.action LIKE 'unit.%' THEN
		SELECT exercise INTO v_exercise FROM unit WHERE callsign = NEW.object;
	ELSIF NEW.action = 'drill.mode' THEN
		v_exercise := true;
		v_run := NEW.object::bigint;
	ELSIF NEW.action LIKE 'alarm.%' AND NEW.object ~ '^[0-9]{1,18}$' THEN
		SELECT i.exercise INTO v_exercise FROM alarm a JOIN indicator i ON i.id = a.indicator_id
			WHERE a.id = NEW.object::bigint;
	END IF;
	IF coalesce(v_exercise, false) THEN
		NEW.exercise := true;
		NEW.drill_run := coalesce(v_run, drill_current());
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS audit_drill_tag ON cityops.audit;
CREATE TRIGGER audit_drill_tag BEFORE INSERT ON cityops.audit
	FOR EACH ROW EXECUTE FUNCTION cityops.drill_audit_tag();
ALTER TABLE cityops.audit ENABLE ALWAYS TRIGGER audit_drill_tag;

-- The exercise side of the vital signs: exercise indicators only, the same
-- columns as vitals().
CREATE OR REPLACE FUNCTION cityops.drill_vitals(p_region text DEFAULT NULL, p_limit int DEFAULT 200)
RETURNS TABLE (indicator_id text, category text, name text, region_name text, value numeric,
	unit text, state text, at timestamptz, warn numeric, alarm numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_path ltree;
	v_now timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	IF p_region IS NOT NULL THEN
		SELECT path INTO v_path FROM region WHERE code = region_resolve(p_region);
	END IF;
	RETURN QUERY
	SELECT i.id, c.name, i.name, r.name, i.last_value, i.uom, s.state, i.last_at,
		i.warn, i.alarm
	FROM indicator i
	JOIN indicator_category c ON c.code = i.category_code
	JOIN region r ON r.code = i.region_code
	CROSS JOIN LATERAL (SELECT indicator_state(i.last_state, i.last_at, i.stale_s, v_now) AS state) s
	WHERE i.exercise AND (v_path IS NULL OR i.region_path <@ v_path)
	ORDER BY state_severity(s.state) DESC, c.ord, i.id
	LIMIT greatest(coalesce(p_limit, 200), 0);
END
$$;

-- ------------------------------------------------------------------------
-- The runner's API.

-- Starts a run; the caller must be a supervisor. Drill time +00:00 is now
-- — or, for a run faster than real time, just after the latest exercise
-- time on record: an earlier fast run may have left readings ahead of
-- real time, and a new run's clock must not start inside them (its
-- readings would be "late" and never judged). At speed 1 people at live
-- consoles share real time, so +00:00 is always now. lead_s: how far
-- +00:00 is ahead of now, for the runner's clock offset.
CREATE OR REPLACE FUNCTION cityops.drill_start(p_name text, p_title text, p_speed numeric)
RETURNS TABLE (id bigint, clock_start timestamptz, lead_s numeric)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_now timestamptz := pg_catalog.now();
	v_start timestamptz := pg_catalog.now();
	v_run drill_run;
BEGIN
	PERFORM require_role(me, 'supervisor', 'running a drill');
	IF p_speed IS DISTINCT FROM 1 THEN
		v_start := greatest(v_now,
			(SELECT max(r.clock_end) FROM drill_run r) + interval '1 second',
			(SELECT max(i.last_at) FROM indicator i WHERE i.exercise) + interval '1 second',
			(SELECT max(x.at) FROM reading x JOIN indicator i ON i.id = x.indicator_id
				WHERE i.exercise AND x.at > v_now) + interval '1 second');
	END IF;
	INSERT INTO drill_run (name, title, started_by, clock_start, speed)
		VALUES (p_name, require_text(p_title, 'a drill needs a title'), session_user,
			v_start, p_speed)
		RETURNING * INTO v_run;
	PERFORM audit_log('drill.start', v_run.name, jsonb_build_object('run', v_run.id,
		'title', v_run.title, 'speed', p_speed));
	PERFORM change_emit('drill', v_run.id::text, NULL, NULL, false,
		jsonb_build_object('t', 'drill', 'id', v_run.id, 'name', v_run.name, 'state', 'running'));
	RETURN QUERY SELECT v_run.id, v_run.clock_start,
		round(extract(epoch FROM v_run.clock_start - v_now)::numeric, 3);
END
$$;

CREATE OR REPLACE FUNCTION cityops.drill_finish(p_run bigint, p_state text, p_clock_end timestamptz,
	p_held int, p_failed int, p_report jsonb)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'supervisor', 'finishing a drill');
	PERFORM check_one_of('drill state', p_state, ARRAY['passed', 'failed', 'aborted']);
	UPDATE drill_run r SET state = p_state, clock_end = p_clock_end, held = p_held,
		failed = p_failed, report = p_report, finished_at = pg_catalog.now()
		WHERE r.id = p_run AND r.state = 'running';
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no running drill %s', p_run);
	END IF;
	-- ENDEX for the exercise sensors the run fed: their alarms are
	-- cleared and their state forgotten, so that the next drill starts
	-- from quiet sensors (the readings stay, for review).
	UPDATE alarm a SET state = 'cleared', cleared_at = p_clock_end
		FROM indicator i, drill_run r
		WHERE i.id = a.indicator_id AND i.exercise AND a.state <> 'cleared' AND r.id = p_run
			AND EXISTS (SELECT 1 FROM reading x WHERE x.indicator_id = i.id
				AND x.at BETWEEN r.clock_start AND p_clock_end);
	UPDATE indicator i SET last_value = NULL, last_at = NULL, last_state = NULL
		FROM drill_run r
		WHERE i.exercise AND r.id = p_run AND EXISTS (SELECT 1 FROM reading x
			WHERE x.indicator_id = i.id AND x.at BETWEEN r.clock_start AND p_clock_end);
	PERFORM audit_log('drill.finish', p_run::text, jsonb_build_object('state', p_state,
		'held', p_held, 'failed', p_failed));
	PERFORM change_emit('drill', p_run::text, NULL, NULL, false,
		jsonb_build_object('t', 'drill', 'id', p_run, 'state', p_state));
	RETURN QUERY SELECT p_run, p_state;
END
$$;

-- Seconds of drill time from the run's +00:00 to p_at.
CREATE OR REPLACE FUNCTION cityops.drill_secs(p_run cityops.drill_run, p_at timestamptz)
RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN pg_catalog.round(EXTRACT(epoch FROM p_at - (p_run).clock_start), 1);

-- One row per incident of the run, with its milestones in drill seconds
-- (first time each was reached), who reached them, and the SLA deadlines.
-- Runs as the caller: row-level security limits it to the caller's scope.
CREATE OR REPLACE FUNCTION cityops.drill_incidents(p_run bigint)
RETURNS TABLE (ref text, title text, category text, category_name text, priority int,
	region_name text, source text, state text, created_by name, created_iso text,
	description text, location text, lat numeric, lon numeric, merged int,
	raised_s numeric, ack_s numeric, ack_by name, dispatch_s numeric, dispatch_by name,
	accept_s numeric, accept_by name, arrive_s numeric, arrive_by name,
	resolve_s numeric, resolve_by name, verify_s numeric, verify_by name,
	close_s numeric, close_by name,
	ack_due_s numeric, dispatch_due_s numeric, arrive_due_s numeric, close_due_s numeric,
	units text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_run drill_run;
BEGIN
	PERFORM caller();
	SELECT * INTO v_run FROM drill_run r WHERE r.id = p_run;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no drill run %s', p_run);
	END IF;
	RETURN QUERY
	SELECT i.ref, i.title, i.category_code, c.name, i.priority, r.name, i.source, i.state,
		i.created_by,
		to_char(i.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
		i.description, i.location, i.lat, i.lon,
		(SELECT count(*)::int FROM incident_event e WHERE e.incident_id = i.id AND e.action = 'merge'),
		drill_secs(v_run, i.created_at),
		drill_secs(v_run, m.ack_at), m.ack_by, drill_secs(v_run, m.dispatch_at), m.dispatch_by,
		drill_secs(v_run, m.accept_at), m.accept_by, drill_secs(v_run, m.arrive_at), m.arrive_by,
		drill_secs(v_run, m.resolve_at), m.resolve_by, drill_secs(v_run, m.verify_at), m.verify_by,
		drill_secs(v_run, m.close_at), m.close_by,
		drill_secs(v_run, i.ack_due), drill_secs(v_run, i.dispatch_due),
		drill_secs(v_run, i.arrive_due), drill_secs(v_run, i.close_due),
		(SELECT string_agg(DISTINCT u.callsign, ',') FROM assignment a
			CROSS JOIN LATERAL unit_card(a.unit_id) u WHERE a.incident_id = i.id)
	FROM incident i
	JOIN category c ON c.code = i.category_code
	JOIN region r ON r.code = i.region_code
	CROSS JOIN LATERAL (
		SELECT
			min(e.at) FILTER (WHERE e.action = 'ack') AS ack_at,
			(array_agg(e.actor ORDER BY e.at, e.id) FILTER (WHERE e.action = 'ack'))[1] AS ack_by,
			min(e.at) FILTER (WHERE e.action = 'dispatch') AS dispatch_at,
			(array_agg(e.actor ORDER BY e.at, e.id) FILTER (WHERE e.action = 'dispatch'))[1] AS dispatch_by,
			min(e.at) FILTER (WHERE e.action = 'accept') AS accept_at,
			(array_agg(e.actor ORDER BY e.at, e.id) FILTER (WHERE e.action = 'accept'))[1] AS accept_by,
			min(e.at) FILTER (WHERE e.action = 'arrive') AS arrive_at,
			(array_agg(e.actor ORDER BY e.at, e.id) FILTER (WHERE e.action = 'arrive'))[1] AS arrive_by,
			min(e.at) FILTER (WHERE e.action = 'resolve') AS resolve_at,
			(array_agg(e.actor ORDER BY e.at, e.id) FILTER (WHERE e.action = 'resolve'))[1] AS resolve_by,
			min(e.at) FILTER (WHERE e.action = 'verify') AS verify_at,
			(array_agg(e.actor ORDER BY e.at, e.id) FILTER (WHERE e.action = 'verify'))[1] AS verify_by,
			min(e.at) FILTER (WHERE e.action = 'close') AS close_at,
			(array_agg(e.actor ORDER BY e.at, e.id) FILTER (WHERE e.action = 'close'))[1] AS close_by
		FROM incident_event e WHERE e.incident_id = i.id) m
	WHERE i.drill_run = p_run AND i.exercise
	ORDER BY i.created_at, i.id;
END
$$;

-- An exercise indicator during a run: when its readings first reached the
-- warn and the alarm threshold, and what became of its alarm.
CREATE OR REPLACE FUNCTION cityops.drill_alarm(p_run bigint, p_indicator text)
RETURNS TABLE (indicator_id text, name text, exercise bool, warn_s numeric, alarm_s numeric,
	ack_s numeric, ack_by name, cleared_s numeric, last_value numeric, level text, state text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_run drill_run;
	v_ind indicator;
	v_end timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	SELECT * INTO v_run FROM drill_run r WHERE r.id = p_run;
	SELECT * INTO v_ind FROM indicator i WHERE i.id = p_indicator;
	IF v_run.id IS NULL OR v_ind.id IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001',
			MESSAGE = format('no drill run %s or indicator %s', p_run, p_indicator);
	END IF;
	RETURN QUERY
	SELECT v_ind.id, v_ind.name, v_ind.exercise,
		(SELECT drill_secs(v_run, min(x.at)) FROM reading x WHERE x.indicator_id = v_ind.id
			AND x.at >= v_run.clock_start AND x.at <= v_end
			AND threshold_state(x.value, NULL, v_ind.side, v_ind.warn, v_ind.alarm, 0) IN ('warn', 'alarm')),
		(SELECT drill_secs(v_run, min(x.at)) FROM reading x WHERE x.indicator_id = v_ind.id
			AND x.at >= v_run.clock_start AND x.at <= v_end
			AND threshold_state(x.value, NULL, v_ind.side, v_ind.warn, v_ind.alarm, 0) = 'alarm'),
		drill_secs(v_run, a.acknowledged_at), a.acknowledged_by, drill_secs(v_run, a.cleared_at),
		v_ind.last_value, a.level, a.state
	FROM (SELECT 1) one
	LEFT JOIN LATERAL (SELECT * FROM alarm al WHERE al.indicator_id = v_ind.id
		AND al.raised_at >= v_run.clock_start ORDER BY al.raised_at DESC LIMIT 1) a ON true;
END
$$;

-- Removes the exercise data of one drill — by name (every run of it) or by
-- run id: its incidents with their timelines and assignments, the audit
-- rows about them, the readings and alarms of exercise indicators within
-- its runs, and frees the exercise units it held. Real data is never
-- touched: every delete is limited to exercise rows, and the timeline and
-- audit triggers refuse anything else even here. Supervisors and admins.
CREATE OR REPLACE FUNCTION cityops.drill_clear(p_drill text)
RETURNS TABLE (incidents int, events int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_runs bigint[];
	v_inc bigint[];
	v_events int;
	v_n int;
BEGIN
	PERFORM require_role(me, 'supervisor', 'clearing a drill');
	SELECT array_agg(r.id) INTO v_runs FROM drill_run r
		WHERE r.name = btrim(p_drill) OR r.id::text = btrim(p_drill);
	IF v_runs IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no drill %s', p_drill),
			HINT = 'drill runs are named after their file, e.g. typhoon-fengxian';
	END IF;
	IF EXISTS (SELECT 1 FROM drill_run r WHERE r.id = ANY (v_runs) AND r.state = 'running'
			AND r.started_at > pg_catalog.now() - interval '1 day') THEN
		RAISE EXCEPTION USING ERRCODE = 'CO004',
			MESSAGE = format('drill %s is still running; clear it once it has finished', p_drill);
	END IF;
	SELECT array_agg(i.id) INTO v_inc FROM incident i
		WHERE i.drill_run = ANY (v_runs) AND i.exercise;
	v_inc := coalesce(v_inc, '{}');

	PERFORM set_config('cityops.drill_clearing', 'on', true);
	-- Free the units still on these incidents.
	WITH released AS (
		DELETE FROM assignment a WHERE a.incident_id = ANY (v_inc) RETURNING a.unit_id, a.released_at)
	UPDATE unit u SET status = 'available', updated_at = cityops.now()
		FROM released r WHERE u.id = r.unit_id AND r.released_at IS NULL;
	DELETE FROM incident_event e WHERE e.incident_id = ANY (v_inc);
	GET DIAGNOSTICS v_events = ROW_COUNT;
	DELETE FROM audit a WHERE a.exercise AND (a.drill_run = ANY (v_runs)
		OR (a.action LIKE 'incident.%'
			AND a.object IN (SELECT i.ref FROM incident i WHERE i.id = ANY (v_inc))));
	-- What the reports keep of these incidents (migration 060) goes too.
	DELETE FROM incident_step s WHERE s.incident_id = ANY (v_inc);
	DELETE FROM handover_note n WHERE n.incident_id = ANY (v_inc);
	DELETE FROM incident_search x WHERE x.incident_id = ANY (v_inc);
	DELETE FROM escalation_fired f WHERE f.incident_id = ANY (v_inc);
	DELETE FROM incident i WHERE i.id = ANY (v_inc);
	GET DIAGNOSTICS v_n = ROW_COUNT;
	-- Readings and alarms of exercise indicators within the runs' drill time.
	DELETE FROM alarm al USING indicator ind, drill_run r
		WHERE ind.id = al.indicator_id AND ind.exercise AND r.id = ANY (v_runs)
			AND al.raised_at >= r.clock_start
			AND al.raised_at <= coalesce(r.clock_end, 'infinity');
	DELETE FROM reading x USING indicator ind, drill_run r
		WHERE ind.id = x.indicator_id AND ind.exercise AND r.id = ANY (v_runs)
			AND x.at >= r.clock_start AND x.at <= coalesce(r.clock_end, 'infinity');
	UPDATE indicator ind SET last_value = l.value, last_at = l.at,
		last_state = CASE WHEN l.at IS NULL THEN NULL
			ELSE threshold_state(l.value, NULL, ind.side, ind.warn, ind.alarm, 0) END
		FROM indicator i2 LEFT JOIN LATERAL (SELECT x.at, x.value FROM reading x
			WHERE x.indicator_id = i2.id ORDER BY x.at DESC LIMIT 1) l ON true
		WHERE i2.id = ind.id AND ind.exercise;
	DELETE FROM drill_run r WHERE r.id = ANY (v_runs);
	PERFORM set_config('cityops.drill_clearing', 'off', true);

	PERFORM audit_log('drill.clear', btrim(p_drill), jsonb_build_object('runs', v_runs,
		'incidents', v_n, 'events', v_events));
	PERFORM change_emit('drill', btrim(p_drill), NULL, NULL, false,
		jsonb_build_object('t', 'drill', 'name', btrim(p_drill), 'state', 'cleared'));
	RETURN QUERY SELECT v_n, v_events;
END
$$;

-- The runs on record, newest first.
CREATE OR REPLACE FUNCTION cityops.drill_runs()
RETURNS TABLE (id bigint, name text, title text, state text, started_by name,
	started_at timestamptz, speed numeric, held int, failed int, incidents int)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT r.id, r.name, r.title, r.state, r.started_by, r.started_at, r.speed, r.held, r.failed,
		(SELECT count(*)::int FROM incident i WHERE i.drill_run = r.id)
	FROM drill_run r ORDER BY r.id DESC
$$;

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
