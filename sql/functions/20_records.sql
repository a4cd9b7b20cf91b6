-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- What the tables do by themselves, whoever writes: region paths and
-- incident state derived, the timeline, audit and mode append-only, real
-- rows kept at the server's time, a NOTIFY for every change, and the
-- indicator state machine that turns readings into states and alarms.
-- The clock itself (cityops.now()) is in migration 001, because column
-- defaults use it.
--
-- Triggers that guard history or tell consoles about changes are ENABLE
-- ALWAYS, so that session_replication_role = replica does not silence them.

-- A region's path (its parent's path and its code) and short name (奉贤区
-- → 奉贤) from the row, so that inserts name only the parent. Regions do
-- not move once created, so it runs on INSERT only.
CREATE OR REPLACE FUNCTION cityops.region_derive() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	label ltree := text2ltree(replace(NEW.code, '-', '_'));
BEGIN
	IF NEW.parent_code IS NULL THEN
		NEW.path := label;
	ELSE
		SELECT r.path || label INTO STRICT NEW.path FROM region r WHERE r.code = NEW.parent_code;
	END IF;
	-- 奉贤区 → 奉贤, 南桥镇 → 南桥, 浦东新区 → 浦东; names without a suffix stay.
	NEW.short_name := coalesce(NEW.short_name,
		regexp_replace(NEW.name, '(新区|区|街道|镇|乡|市|居委会|居委|村|网格)$', ''));
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS region_derive ON cityops.region;
CREATE TRIGGER region_derive BEFORE INSERT ON cityops.region
	FOR EACH ROW EXECUTE FUNCTION cityops.region_derive();

-- Rows that live in a region carry a copy of its path, so that row-level
-- security is one ltree comparison without a join.
CREATE OR REPLACE FUNCTION cityops.copy_region_path() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	SELECT r.path INTO NEW.region_path FROM region r WHERE r.code = NEW.region_code;
	IF NEW.region_path IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001',
			MESSAGE = format('no region %s', NEW.region_code);
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS unit_region_path ON cityops.unit;
CREATE TRIGGER unit_region_path BEFORE INSERT OR UPDATE OF region_code ON cityops.unit
	FOR EACH ROW EXECUTE FUNCTION cityops.copy_region_path();
DROP TRIGGER IF EXISTS indicator_region_path ON cityops.indicator;
CREATE TRIGGER indicator_region_path BEFORE INSERT OR UPDATE OF region_code ON cityops.indicator
	FOR EACH ROW EXECUTE FUNCTION cityops.copy_region_path();
DROP TRIGGER IF EXISTS incident_region_path ON cityops.incident;
CREATE TRIGGER incident_region_path BEFORE INSERT OR UPDATE OF region_code ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.copy_region_path();

-- is_open and the next pending SLA deadline follow the state, so that the
-- queue can use a partial index and sort on a stored column.
CREATE OR REPLACE FUNCTION cityops.incident_derive() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	s state;
BEGIN
	SELECT * INTO STRICT s FROM state WHERE name = NEW.state;
	NEW.is_open := s.is_open;
	NEW.sla_stage := s.sla_stage;
	NEW.sla_due := CASE s.sla_stage
		WHEN 'ack' THEN NEW.ack_due
		WHEN 'dispatch' THEN NEW.dispatch_due
		WHEN 'arrive' THEN NEW.arrive_due
		WHEN 'close' THEN NEW.close_due
	END;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS incident_derive ON cityops.incident;
CREATE TRIGGER incident_derive BEFORE INSERT OR UPDATE ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.incident_derive();

-- History is append-only for everyone, the superuser and the owner included.
CREATE OR REPLACE FUNCTION cityops.refuse_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
		MESSAGE = format('%I.%I is append-only; %s is not allowed',
			TG_TABLE_SCHEMA, TG_TABLE_NAME, lower(TG_OP));
END
$$;
DROP TRIGGER IF EXISTS incident_event_no_truncate ON cityops.incident_event;
CREATE TRIGGER incident_event_no_truncate BEFORE TRUNCATE ON cityops.incident_event
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.refuse_change();
ALTER TABLE cityops.incident_event ENABLE ALWAYS TRIGGER incident_event_no_truncate;
DROP TRIGGER IF EXISTS audit_no_truncate ON cityops.audit;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON cityops.audit
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.refuse_change();
ALTER TABLE cityops.audit ENABLE ALWAYS TRIGGER audit_no_truncate;
DROP TRIGGER IF EXISTS mode_append_only ON cityops.mode;
CREATE TRIGGER mode_append_only BEFORE UPDATE OR DELETE ON cityops.mode
	FOR EACH ROW EXECUTE FUNCTION cityops.refuse_change();
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_append_only;
DROP TRIGGER IF EXISTS mode_no_truncate ON cityops.mode;
CREATE TRIGGER mode_no_truncate BEFORE TRUNCATE ON cityops.mode
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.refuse_change();
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_no_truncate;

-- Append-only, except for exercise rows while drill_clear runs (rule 4).
-- The message for a refused change is refuse_change's.
CREATE OR REPLACE FUNCTION cityops.refuse_change_keep_real() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF TG_OP = 'DELETE' AND current_setting('cityops.drill_clearing', true) = 'on' THEN
		IF TG_TABLE_NAME = 'incident_event' THEN
			IF EXISTS (SELECT 1 FROM incident WHERE id = OLD.incident_id AND exercise) THEN
				RETURN OLD;
			END IF;
		ELSIF TG_TABLE_NAME = 'audit' THEN
			IF OLD.exercise THEN
				RETURN OLD;
			END IF;
		END IF;
	END IF;
	RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
		MESSAGE = format('%I.%I is append-only; %s is not allowed',
			TG_TABLE_SCHEMA, TG_TABLE_NAME, lower(TG_OP));
END
$$;
DROP TRIGGER IF EXISTS incident_event_append_only ON cityops.incident_event;
CREATE TRIGGER incident_event_append_only BEFORE UPDATE OR DELETE ON cityops.incident_event
	FOR EACH ROW EXECUTE FUNCTION cityops.refuse_change_keep_real();
ALTER TABLE cityops.incident_event ENABLE ALWAYS TRIGGER incident_event_append_only;
DROP TRIGGER IF EXISTS audit_append_only ON cityops.audit;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON cityops.audit
	FOR EACH ROW EXECUTE FUNCTION cityops.refuse_change_keep_real();
ALTER TABLE cityops.audit ENABLE ALWAYS TRIGGER audit_append_only;

-- Real rows carry the server's time. A row already at pg_catalog.now()
-- (every ordinary write) costs one comparison; a shifted one is put back
-- to real time unless it is exercise data or the transaction is seeding.
-- Incidents move as a whole, deadlines with them, so the SLA stays what
-- it was. Named *_real_time so that each runs after the triggers that
-- tag and derive (BEFORE triggers fire in name order).
CREATE OR REPLACE FUNCTION cityops.real_time() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_real timestamptz := pg_catalog.now();
	v_shift interval;
BEGIN
	IF TG_TABLE_NAME = 'incident_event' THEN
		IF NEW.at IS DISTINCT FROM v_real AND NOT clock_seeding()
				AND NOT coalesce((SELECT exercise FROM incident WHERE id = NEW.incident_id), false) THEN
			NEW.at := v_real;
		END IF;
	ELSIF TG_TABLE_NAME = 'audit' THEN
		IF NEW.at IS DISTINCT FROM v_real AND NOT NEW.exercise AND NOT clock_seeding() THEN
			NEW.at := v_real;
		END IF;
	ELSIF TG_TABLE_NAME = 'mode' THEN
		IF NEW.set_at IS DISTINCT FROM v_real AND NOT clock_seeding() THEN
			NEW.set_at := v_real;
		END IF;
	ELSIF TG_TABLE_NAME = 'incident' THEN
		IF NOT NEW.exercise AND NOT clock_seeding() THEN
			IF TG_OP = 'INSERT' THEN
				v_shift := v_real - NEW.created_at;
			ELSIF NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
				v_shift := v_real - NEW.updated_at;
			END IF;
			IF v_shift <> interval '0' THEN
				IF TG_OP = 'INSERT' THEN
					NEW.created_at := v_real;
				END IF;
				NEW.updated_at := NEW.updated_at + v_shift;
				-- Deadlines this statement set move with it.
				IF TG_OP = 'INSERT' OR NEW.ack_due IS DISTINCT FROM OLD.ack_due THEN
					NEW.ack_due := NEW.ack_due + v_shift;
				END IF;
				IF TG_OP = 'INSERT' OR NEW.dispatch_due IS DISTINCT FROM OLD.dispatch_due THEN
					NEW.dispatch_due := NEW.dispatch_due + v_shift;
				END IF;
				IF TG_OP = 'INSERT' OR NEW.arrive_due IS DISTINCT FROM OLD.arrive_due THEN
					NEW.arrive_due := NEW.arrive_due + v_shift;
				END IF;
				IF TG_OP = 'INSERT' OR NEW.close_due IS DISTINCT FROM OLD.close_due THEN
					NEW.close_due := NEW.close_due + v_shift;
				END IF;
				NEW.sla_due := CASE NEW.sla_stage WHEN 'ack' THEN NEW.ack_due
					WHEN 'dispatch' THEN NEW.dispatch_due WHEN 'arrive' THEN NEW.arrive_due
					WHEN 'close' THEN NEW.close_due END;
			END IF;
		END IF;
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS incident_event_real_time ON cityops.incident_event;
CREATE TRIGGER incident_event_real_time BEFORE INSERT ON cityops.incident_event
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
ALTER TABLE cityops.incident_event ENABLE ALWAYS TRIGGER incident_event_real_time;
DROP TRIGGER IF EXISTS audit_real_time ON cityops.audit;
CREATE TRIGGER audit_real_time BEFORE INSERT ON cityops.audit
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
ALTER TABLE cityops.audit ENABLE ALWAYS TRIGGER audit_real_time;
DROP TRIGGER IF EXISTS mode_real_time ON cityops.mode;
CREATE TRIGGER mode_real_time BEFORE INSERT ON cityops.mode
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_real_time;
DROP TRIGGER IF EXISTS incident_real_time ON cityops.incident;
CREATE TRIGGER incident_real_time BEFORE INSERT OR UPDATE ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
ALTER TABLE cityops.incident ENABLE ALWAYS TRIGGER incident_real_time;

-- NOTIFY cityops with a small change record; consoles refetch what changed.
-- Payloads as in docs/sql-api.md, "Notifications"; each change is also a
-- row of the change log with its sequence (change_emit, migration 030).
CREATE OR REPLACE FUNCTION cityops.notify_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	-- One branch per table: PL/pgSQL resolves NEW's fields per statement.
	IF TG_TABLE_NAME = 'incident' THEN
		PERFORM change_emit('incident', NEW.id::text, NEW.id, NEW.region_path, NEW.exercise,
			jsonb_build_object('t', 'incident', 'id', NEW.id, 'ref', NEW.ref,
				'state', NEW.state));
	ELSIF TG_TABLE_NAME = 'unit' THEN
		PERFORM change_emit('unit', NEW.callsign, NULL, NEW.region_path, NEW.exercise,
			jsonb_build_object('t', 'unit', 'id', NEW.callsign, 'status', NEW.status));
	ELSIF TG_TABLE_NAME = 'alarm' THEN
		PERFORM change_emit('alarm', NEW.id::text, NULL, NEW.region_path, false,
			jsonb_build_object('t', 'alarm', 'id', NEW.id, 'indicator', NEW.indicator_id,
				'state', NEW.state));
	ELSE
		PERFORM change_emit(TG_TABLE_NAME, NULL, NULL, NULL, false,
			jsonb_build_object('t', TG_TABLE_NAME));
	END IF;
	RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS incident_notify ON cityops.incident;
CREATE TRIGGER incident_notify AFTER INSERT OR UPDATE ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
ALTER TABLE cityops.incident ENABLE ALWAYS TRIGGER incident_notify;
DROP TRIGGER IF EXISTS unit_notify ON cityops.unit;
CREATE TRIGGER unit_notify AFTER INSERT OR UPDATE ON cityops.unit
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
ALTER TABLE cityops.unit ENABLE ALWAYS TRIGGER unit_notify;
DROP TRIGGER IF EXISTS mode_notify ON cityops.mode;
CREATE TRIGGER mode_notify AFTER INSERT OR UPDATE ON cityops.mode
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_notify;
DROP TRIGGER IF EXISTS alarm_notify ON cityops.alarm;
CREATE TRIGGER alarm_notify AFTER INSERT OR UPDATE ON cityops.alarm
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
ALTER TABLE cityops.alarm ENABLE ALWAYS TRIGGER alarm_notify;

-- ------------------------------------------------------------------------
-- Indicator state from readings.
--
-- The threshold state of a value given the previous state, with
-- hysteresis: entering warn/alarm happens at the threshold, leaving it only
-- once the value is back past the threshold by more than the hysteresis.
-- Low-side indicators are handled by mirroring the values.
CREATE OR REPLACE FUNCTION cityops.threshold_state(p_value numeric, p_prev text, p_side text,
	p_warn numeric, p_alarm numeric, p_hyst numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN x >= a OR (p_prev = 'alarm' AND x > a - p_hyst) THEN 'alarm'
		WHEN x >= w OR (p_prev IN ('alarm', 'warn') AND x > w - p_hyst) THEN 'warn'
		ELSE 'normal'
	END
	FROM (SELECT s * p_value AS x, s * p_warn AS w, s * p_alarm AS a
		FROM (SELECT CASE p_side WHEN 'low' THEN -1 ELSE 1 END AS s) m) v;
END;

-- The state a reader sees: the threshold state unless the data is stale
-- (no reading within stale_s) or missing.
CREATE OR REPLACE FUNCTION cityops.indicator_state(p_last_state text, p_last_at timestamptz,
	p_stale_s int, p_now timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN p_last_at IS NULL THEN 'nodata'
	WHEN p_now - p_last_at > pg_catalog.make_interval(secs => p_stale_s) THEN 'stale'
	ELSE p_last_state
END;

-- Worst first: alarm > warn > stale > normal > nodata.
CREATE OR REPLACE FUNCTION cityops.state_severity(p_state text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p_state WHEN 'alarm' THEN 4 WHEN 'warn' THEN 3 WHEN 'stale' THEN 2
	WHEN 'normal' THEN 1 ELSE 0 END;

-- Statement-level, so that a batch of readings from the ingest daemon costs
-- one indicator update per indicator, not per reading: the newest reading
-- of each indicator in the batch decides its state. Late readings (older
-- than last_at) only go to history; stale ones (older than stale_s) never
-- touch a live alarm.
CREATE OR REPLACE FUNCTION cityops.reading_apply() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_ids text[];
	v_ats timestamptz[];
	v_values numeric[];
	v_states text[];
	v_fresh bool[];
BEGIN
	SELECT array_agg(s.indicator_id ORDER BY s.indicator_id), array_agg(s.at ORDER BY s.indicator_id),
		array_agg(s.value ORDER BY s.indicator_id), array_agg(s.state ORDER BY s.indicator_id),
		array_agg(s.fresh ORDER BY s.indicator_id)
	INTO v_ids, v_ats, v_values, v_states, v_fresh
	FROM (
		-- fresh: within the indicator's staleness limit. A stale
		-- observation is history: stored, shown as stale (judged at read
		-- time from last_at), but it never raises, moves or clears a
		-- live alarm (issue 10).
		SELECT DISTINCT ON (n.indicator_id) n.indicator_id, n.at, n.value,
			n.at >= cityops.now() - make_interval(secs => i.stale_s) AS fresh,
			threshold_state(n.value, i.last_state, i.side, i.warn, i.alarm, i.hysteresis) AS state
		FROM new_rows n JOIN indicator i ON i.id = n.indicator_id
		WHERE i.last_at IS NULL OR n.at >= i.last_at
		ORDER BY n.indicator_id, n.at DESC
	) s;
	IF v_ids IS NULL THEN
		RETURN NULL;
	END IF;

	PERFORM 1 FROM indicator WHERE id = ANY (v_ids) ORDER BY id FOR UPDATE;
	UPDATE indicator i SET last_value = u.value, last_at = u.at, last_state = u.state
	FROM unnest(v_ids, v_ats, v_values, v_states) AS u(id, at, value, state)
	WHERE i.id = u.id;

	UPDATE alarm a SET state = 'cleared', cleared_at = u.at, value = u.value
	FROM unnest(v_ids, v_ats, v_values, v_states, v_fresh) AS u(id, at, value, state, fresh)
	WHERE u.fresh AND u.state = 'normal' AND a.indicator_id = u.id AND a.state <> 'cleared';

	UPDATE alarm a SET level = u.state, value = u.value,
		state = CASE WHEN u.state = 'alarm' THEN 'raised' ELSE a.state END
	FROM unnest(v_ids, v_ats, v_values, v_states, v_fresh) AS u(id, at, value, state, fresh)
	WHERE u.fresh AND u.state <> 'normal' AND a.indicator_id = u.id AND a.state <> 'cleared'
		AND a.level <> u.state;

	INSERT INTO alarm (indicator_id, region_path, level, value, raised_at)
	SELECT u.id, i.region_path, u.state, u.value, u.at
	FROM unnest(v_ids, v_ats, v_values, v_states, v_fresh) AS u(id, at, value, state, fresh)
	JOIN indicator i ON i.id = u.id
	WHERE u.fresh AND u.state <> 'normal' AND NOT EXISTS (SELECT 1 FROM alarm a
		WHERE a.indicator_id = u.id AND a.state <> 'cleared')
	ORDER BY u.id;
	RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS reading_apply ON cityops.reading;
CREATE TRIGGER reading_apply AFTER INSERT ON cityops.reading
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.reading_apply();

CREATE OR REPLACE FUNCTION cityops.indicator_keep() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM reading WHERE indicator_id = OLD.id) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('indicator %s has readings; it cannot be %s', OLD.id,
				CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renamed' END);
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
DROP TRIGGER IF EXISTS indicator_keep ON cityops.indicator;
CREATE TRIGGER indicator_keep BEFORE DELETE OR UPDATE OF id ON cityops.indicator
	FOR EACH ROW EXECUTE FUNCTION cityops.indicator_keep();

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
