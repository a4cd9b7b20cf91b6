-- 003_triggers: invariants the database keeps by itself, whoever writes —
-- derived columns, append-only history, change notifications and the
-- indicator state machine fed by readings.
--
-- Triggers that guard history or tell consoles about changes are ENABLE
-- ALWAYS, so that session_replication_role = replica does not silence them.

-- Rows that live in a region carry a copy of its path, so that row-level
-- security is one ltree comparison without a join.
CREATE FUNCTION cityops.copy_region_path() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public
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
CREATE TRIGGER unit_region_path BEFORE INSERT OR UPDATE OF region_code ON cityops.unit
	FOR EACH ROW EXECUTE FUNCTION cityops.copy_region_path();
CREATE TRIGGER indicator_region_path BEFORE INSERT OR UPDATE OF region_code ON cityops.indicator
	FOR EACH ROW EXECUTE FUNCTION cityops.copy_region_path();
CREATE TRIGGER incident_region_path BEFORE INSERT OR UPDATE OF region_code ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.copy_region_path();

-- is_open and the next pending SLA deadline follow the state, so that the
-- queue can use a partial index and sort on a stored column.
CREATE FUNCTION cityops.incident_derive() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public
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
CREATE TRIGGER incident_derive BEFORE INSERT OR UPDATE ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.incident_derive();

-- History is append-only for everyone, the superuser and the owner included.
CREATE FUNCTION cityops.refuse_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
		MESSAGE = format('%I.%I is append-only; %s is not allowed',
			TG_TABLE_SCHEMA, TG_TABLE_NAME, lower(TG_OP));
END
$$;
CREATE TRIGGER incident_event_append_only BEFORE UPDATE OR DELETE ON cityops.incident_event
	FOR EACH ROW EXECUTE FUNCTION cityops.refuse_change();
CREATE TRIGGER incident_event_no_truncate BEFORE TRUNCATE ON cityops.incident_event
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.refuse_change();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON cityops.audit
	FOR EACH ROW EXECUTE FUNCTION cityops.refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON cityops.audit
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.refuse_change();
CREATE TRIGGER mode_append_only BEFORE UPDATE OR DELETE ON cityops.mode
	FOR EACH ROW EXECUTE FUNCTION cityops.refuse_change();
CREATE TRIGGER mode_no_truncate BEFORE TRUNCATE ON cityops.mode
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.refuse_change();
ALTER TABLE cityops.incident_event ENABLE ALWAYS TRIGGER incident_event_append_only;
ALTER TABLE cityops.incident_event ENABLE ALWAYS TRIGGER incident_event_no_truncate;
ALTER TABLE cityops.audit ENABLE ALWAYS TRIGGER audit_append_only;
ALTER TABLE cityops.audit ENABLE ALWAYS TRIGGER audit_no_truncate;
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_append_only;
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_no_truncate;

-- NOTIFY cityops with a small change record; consoles refetch what changed.
-- Payloads as in docs/sql-api.md, "Notifications".
CREATE FUNCTION cityops.notify_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	payload json;
BEGIN
	-- One branch per table: PL/pgSQL resolves NEW's fields per statement.
	IF TG_TABLE_NAME = 'incident' THEN
		payload := json_build_object('t', 'incident', 'id', NEW.id, 'ref', NEW.ref,
			'state', NEW.state);
	ELSIF TG_TABLE_NAME = 'unit' THEN
		payload := json_build_object('t', 'unit', 'id', NEW.callsign, 'status', NEW.status);
	ELSIF TG_TABLE_NAME = 'alarm' THEN
		payload := json_build_object('t', 'alarm', 'id', NEW.id, 'indicator', NEW.indicator_id,
			'state', NEW.state);
	ELSE
		payload := json_build_object('t', TG_TABLE_NAME);
	END IF;
	PERFORM pg_notify('cityops', payload::text);
	RETURN NULL;
END
$$;
CREATE TRIGGER incident_notify AFTER INSERT OR UPDATE ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
CREATE TRIGGER unit_notify AFTER INSERT OR UPDATE ON cityops.unit
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
CREATE TRIGGER mode_notify AFTER INSERT OR UPDATE ON cityops.mode
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
CREATE TRIGGER alarm_notify AFTER INSERT OR UPDATE ON cityops.alarm
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_change();
ALTER TABLE cityops.incident ENABLE ALWAYS TRIGGER incident_notify;
ALTER TABLE cityops.unit ENABLE ALWAYS TRIGGER unit_notify;
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_notify;
ALTER TABLE cityops.alarm ENABLE ALWAYS TRIGGER alarm_notify;

-- ------------------------------------------------------------------------
-- Indicator state from readings.
--
-- The threshold state of a value given the previous state, with
-- hysteresis: entering warn/alarm happens at the threshold, leaving it only
-- once the value is back past the threshold by more than the hysteresis.
-- Low-side indicators are handled by mirroring the values.
CREATE FUNCTION cityops.threshold_state(p_value numeric, p_prev text, p_side text,
	p_warn numeric, p_alarm numeric, p_hyst numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN x >= a OR (p_prev = 'alarm' AND x > a - p_hyst) THEN 'alarm'
		WHEN x >= w OR (p_prev IN ('alarm', 'warn') AND x > w - p_hyst) THEN 'warn'
		ELSE 'normal'
	END
	FROM (SELECT s * p_value AS x, s * p_warn AS w, s * p_alarm AS a
		FROM (SELECT CASE p_side WHEN 'low' THEN -1 ELSE 1 END AS s) m) v
$$;

-- The state a reader sees: the threshold state unless the data is stale
-- (no reading within stale_s) or missing.
CREATE FUNCTION cityops.indicator_state(p_last_state text, p_last_at timestamptz,
	p_stale_s int, p_now timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN p_last_at IS NULL THEN 'nodata'
		WHEN p_now - p_last_at > make_interval(secs => p_stale_s) THEN 'stale'
		ELSE p_last_state
	END
$$;

-- Worst first: alarm > warn > stale > normal > nodata.
CREATE FUNCTION cityops.state_severity(p_state text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE p_state WHEN 'alarm' THEN 4 WHEN 'warn' THEN 3 WHEN 'stale' THEN 2
		WHEN 'normal' THEN 1 ELSE 0 END
$$;

-- Statement-level, so that a batch of readings from the ingest daemon costs
-- one indicator update per indicator, not per reading: the newest reading
-- of each indicator in the batch decides its state. Late readings (older
-- than last_at) only go to history.
CREATE FUNCTION cityops.reading_apply() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public
AS $$
DECLARE
	r record;
	v_state text;
	v_alarm alarm;
BEGIN
	FOR r IN
		SELECT DISTINCT ON (n.indicator_id) n.indicator_id, n.at, n.value, i.last_state,
			i.region_path, threshold_state(n.value, i.last_state, i.side, i.warn, i.alarm,
				i.hysteresis) AS state
		FROM new_rows n JOIN indicator i ON i.id = n.indicator_id
		WHERE i.last_at IS NULL OR n.at >= i.last_at
		ORDER BY n.indicator_id, n.at DESC
	LOOP
		UPDATE indicator SET last_value = r.value, last_at = r.at, last_state = r.state
			WHERE id = r.indicator_id;
		SELECT * INTO v_alarm FROM alarm
			WHERE indicator_id = r.indicator_id AND state <> 'cleared' FOR UPDATE;
		IF r.state = 'normal' THEN
			UPDATE alarm SET state = 'cleared', cleared_at = r.at, value = r.value
				WHERE id = v_alarm.id;
		ELSIF v_alarm.id IS NULL THEN
			INSERT INTO alarm (indicator_id, region_path, level, value, raised_at)
				VALUES (r.indicator_id, r.region_path, r.state, r.value, r.at);
		ELSIF v_alarm.level <> r.state THEN
			-- A rise from warn to alarm needs a fresh acknowledgement.
			UPDATE alarm SET level = r.state, value = r.value,
				state = CASE WHEN r.state = 'alarm' THEN 'raised' ELSE state END
				WHERE id = v_alarm.id;
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
CREATE TRIGGER reading_apply AFTER INSERT ON cityops.reading
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cityops.reading_apply();
