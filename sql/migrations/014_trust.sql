-- 014_trust: the database side of issue 8 — what a hostile login can reach.
--
--  1. Search path. PostgreSQL searches the session's temporary schema
--     FIRST for tables and types unless pg_temp is named in search_path,
--     so "SET search_path = cityops, public" let any login shadow
--     cityops.operator with a temp table and become admin at city scope.
--     Every function in the schema now pins search_path with pg_temp last,
--     or has a SQL-standard body (RETURN … / BEGIN ATOMIC … END), whose
--     names are bound once, when it is created, so that no caller's path
--     can redirect them; those stay inlinable, which matters for the small
--     per-row helpers (now, indicator_state …). tests/db/trust.sql walks
--     pg_proc and fails for any function added later without one or the
--     other. And no operator can create a temporary table at all:
--     TEMPORARY on the database is revoked from PUBLIC, so it holds for
--     logins created later too (cityops db migrate re-asserts it on every
--     run, because CREATE DATABASE … TEMPLATE does not copy database
--     privileges).
--  2. The clock. cityops.now() honours cityops.clock_offset only in a
--     fenced drill session (cityops.drill set; migration 008 lets such a
--     session change exercise data only) or inside a seeding transaction
--     the owner opened (cityops.clock_grant, which only the owner can
--     write). Every other session gets the server's time whatever it sets.
--     Triggers keep real rows honest besides: a real timeline, audit,
--     mode or incident row carries pg_catalog.now() unless it is written
--     in a seeding transaction.
--  3. unit_card(int) answers only for units in the caller's scope or on an
--     incident in it.
--  4. An incident or unit outside the caller's scope is answered exactly
--     as a missing one (CO001, "no incident X" / "no unit X"): the error no
--     longer says that it exists or where. A busy unit's holder is named
--     only when that incident is in scope; a dedup key never merges a
--     report into an incident outside the caller's scope.
--  5. Text lengths, in characters: incident title and location ≤ 200,
--     description ≤ 4000, every note or reason ≤ 2000 (CO006, "title is
--     too long: 1201 characters, at most 200").
--
-- feed_incident, ingest_readings and raise_alarm_incidents belong to 015;
-- they are only ALTERed here (search path).

-- ------------------------------------------------------------------------
-- 2. The clock.

-- Seeding transactions that may set the clock back (sql/seed/demo.sql
-- plays its history through the API at past times). Only the owner writes
-- here; a row names one transaction, so it grants nothing to anyone else
-- even if it were left behind.
CREATE TABLE cityops.clock_grant (
	xid        xid8 PRIMARY KEY,
	granted_by name NOT NULL DEFAULT current_user,
	granted_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE cityops.clock_grant IS
	'transactions (the demo seed) whose cityops.clock_offset is honoured; owner-only';

-- The run a fenced session belongs to, or NULL for an ordinary session
-- (as in 008, with the name bound at creation).
CREATE OR REPLACE FUNCTION cityops.drill_session() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(pg_catalog.current_setting('cityops.drill', true), '')::bigint;

-- True inside a seeding transaction the owner opened.
CREATE FUNCTION cityops.clock_seeding() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = cityops, public, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM clock_grant WHERE xid = pg_current_xact_id_if_assigned())
$$;

-- The offset this session's clock may have: its cityops.clock_offset in a
-- fenced drill session or a seeding transaction, else none.
CREATE FUNCTION cityops.clock_offset() RETURNS interval
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = cityops, public, pg_temp
AS $$
	SELECT CASE WHEN drill_session() IS NOT NULL OR clock_seeding()
		THEN coalesce(nullif(current_setting('cityops.clock_offset', true), '')::interval,
			interval '0')
		ELSE interval '0' END
$$;

-- The one clock. Inlined into the queries that call it; a session that set
-- no offset never reaches clock_offset().
CREATE OR REPLACE FUNCTION cityops.now() RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.now() + CASE
	WHEN coalesce(pg_catalog.current_setting('cityops.clock_offset', true), '') = ''
		THEN interval '0'
	ELSE cityops.clock_offset() END;

-- Real rows carry the server's time. A row already at pg_catalog.now()
-- (every ordinary write) costs one comparison; a shifted one is put back
-- to real time unless it is exercise data or the transaction is seeding.
-- Incidents move as a whole, deadlines with them, so the SLA stays what
-- it was. Named *_real_time so that each runs after the triggers that
-- tag and derive (BEFORE triggers fire in name order).
CREATE FUNCTION cityops.real_time() RETURNS trigger
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
CREATE TRIGGER incident_event_real_time BEFORE INSERT ON cityops.incident_event
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
CREATE TRIGGER audit_real_time BEFORE INSERT ON cityops.audit
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
CREATE TRIGGER mode_real_time BEFORE INSERT ON cityops.mode
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
CREATE TRIGGER incident_real_time BEFORE INSERT OR UPDATE ON cityops.incident
	FOR EACH ROW EXECUTE FUNCTION cityops.real_time();
ALTER TABLE cityops.incident_event ENABLE ALWAYS TRIGGER incident_event_real_time;
ALTER TABLE cityops.audit ENABLE ALWAYS TRIGGER audit_real_time;
ALTER TABLE cityops.mode ENABLE ALWAYS TRIGGER mode_real_time;
ALTER TABLE cityops.incident ENABLE ALWAYS TRIGGER incident_real_time;

-- ------------------------------------------------------------------------
-- 1. Small pure helpers as SQL-standard bodies: bound at creation, still
-- inlined where they were (vitals judges every indicator with them).

CREATE OR REPLACE FUNCTION cityops.role_rank(p_role text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.array_position(ARRAY['viewer', 'officer', 'supervisor', 'admin'], p_role) - 1;

CREATE OR REPLACE FUNCTION cityops.indicator_state(p_last_state text, p_last_at timestamptz,
	p_stale_s int, p_now timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN p_last_at IS NULL THEN 'nodata'
	WHEN p_now - p_last_at > pg_catalog.make_interval(secs => p_stale_s) THEN 'stale'
	ELSE p_last_state
END;

CREATE OR REPLACE FUNCTION cityops.state_severity(p_state text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p_state WHEN 'alarm' THEN 4 WHEN 'warn' THEN 3 WHEN 'stale' THEN 2
	WHEN 'normal' THEN 1 ELSE 0 END;

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

CREATE OR REPLACE FUNCTION cityops.distance_km(lat1 numeric, lon1 numeric, lat2 numeric,
	lon2 numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.round((2 * 6371 * pg_catalog.asin(pg_catalog.sqrt(
	pg_catalog.power(pg_catalog.sin(pg_catalog.radians(lat2 - lat1) / 2), 2)
	+ pg_catalog.cos(pg_catalog.radians(lat1)) * pg_catalog.cos(pg_catalog.radians(lat2))
		* pg_catalog.power(pg_catalog.sin(pg_catalog.radians(lon2 - lon1) / 2), 2)
)))::numeric, 2);

CREATE OR REPLACE FUNCTION cityops.drill_secs(p_run cityops.drill_run, p_at timestamptz)
RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN pg_catalog.round(EXTRACT(epoch FROM p_at - (p_run).clock_start), 1);

-- ------------------------------------------------------------------------
-- 5. Text lengths.

-- CO006 when p_value is longer than p_max characters; p_what names it.
CREATE FUNCTION cityops.check_length(p_what text, p_value text, p_max int) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF char_length(p_value) > p_max THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('%s is too long: %s characters, at most %s', p_what,
				char_length(p_value), p_max),
			HINT = format('shorten the %s to %s characters', p_what, p_max);
	END IF;
END
$$;

-- Backstops for writers that forget (the functions check first, with the
-- message above). Notes stay unconstrained in the table: an escalation
-- row prefixes its note with "escalation 1 → 2; ".
ALTER TABLE cityops.incident
	ADD CONSTRAINT incident_title_length CHECK (char_length(title) <= 200),
	ADD CONSTRAINT incident_location_length CHECK (char_length(location) <= 200),
	ADD CONSTRAINT incident_description_length CHECK (char_length(description) <= 4000);
ALTER TABLE cityops.mode
	ADD CONSTRAINT mode_reason_length CHECK (char_length(reason) <= 2000),
	ADD CONSTRAINT mode_kind_length CHECK (char_length(kind) <= 200);

-- ------------------------------------------------------------------------
-- 3. unit_card: public facts about a unit for incident cards — only for a
-- unit in the caller's scope, or one on (or once on) an incident in it,
-- so that a cross-district unit on an in-scope incident is still named.
-- Anything else reads as no row, as a missing unit does.
CREATE INDEX assignment_unit ON cityops.assignment (unit_id);

CREATE OR REPLACE FUNCTION cityops.unit_card(p_unit_id int,
	OUT callsign text, OUT name text, OUT kind char(1), OUT status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
	SELECT u.callsign, u.name, u.kind, u.status
	FROM unit u, (SELECT scope_path() AS path) s
	WHERE u.id = p_unit_id
		AND (u.region_path <@ s.path
			OR EXISTS (SELECT 1 FROM assignment a
				WHERE a.unit_id = u.id AND a.region_path <@ s.path))
$$;

-- ------------------------------------------------------------------------
-- 4, 5. The write API, each as in 006/007/008 but for the checks.

CREATE OR REPLACE FUNCTION cityops.incident_raise(p_category text, p_priority int,
	p_region text, p_title text, p_location text DEFAULT '', p_description text DEFAULT '',
	p_source text DEFAULT 'officer', p_dedup_key text DEFAULT NULL,
	p_exercise bool DEFAULT false)
RETURNS TABLE (ref text, merged bool)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_now timestamptz := cityops.now();
	v_category text;
	v_title text;
	v_source text := coalesce(p_source, 'officer');
	v_dedup text := nullif(btrim(p_dedup_key), '');
	v_exercise bool := coalesce(p_exercise, false);
	v_region region;
	v_sla sla_policy;
	v_inc incident;
BEGIN
	PERFORM require_role(me, 'officer', 'raise');
	v_category := category_resolve(p_category);
	IF p_priority IS NULL THEN
		PERFORM check_priority(0);
	END IF;
	PERFORM check_priority(p_priority);
	PERFORM check_one_of('source', v_source,
		ARRAY['12345', '110', '119', '120', 'sensor', 'patrol', 'opinion', 'officer']);
	v_title := require_text(p_title, 'an incident needs a title');
	PERFORM check_length('title', v_title, 200);
	PERFORM check_length('location', p_location, 200);
	PERFORM check_length('description', p_description, 4000);
	SELECT * INTO v_region FROM region WHERE code = region_resolve(p_region);
	PERFORM require_scope(me, v_region.path, NULL, v_region.code);

	LOOP
		IF v_dedup IS NOT NULL THEN
			SELECT * INTO v_inc FROM incident i
				WHERE i.exercise = v_exercise AND i.dedup_key = v_dedup AND i.is_open
				FOR UPDATE;
			IF FOUND THEN
				-- Never into an incident the caller cannot see: that
				-- would write on it and tell its ref.
				IF NOT v_inc.region_path <@ me.scope_path THEN
					RAISE EXCEPTION USING ERRCODE = 'CO006',
						MESSAGE = format('dedup key %s is taken outside your scope', v_dedup),
						HINT = 'raise it without a dedup key, or ask a wider scope to';
				END IF;
				PERFORM event_log(v_inc, 'merge', v_inc.state, v_inc.state, NULL,
					format('%s (%s, %s, 优先级 %s)', v_title, v_source, v_region.name, p_priority));
				PERFORM audit_log('incident.merge', v_inc.ref,
					jsonb_build_object('title', v_title, 'source', v_source, 'dedup_key', v_dedup));
				RETURN QUERY SELECT v_inc.ref, true;
				RETURN;
			END IF;
		END IF;

		v_sla := sla_for(v_category, p_priority);
		-- Location defaults to the centroid of the nearest region that has one.
		INSERT INTO incident AS i (ref, priority, category_code, title, description, source,
			region_code, region_path, location, lat, lon, dedup_key, exercise, created_at,
			created_by, updated_at, ack_due, dispatch_due, arrive_due, close_due)
		SELECT next_ref(v_now), p_priority, v_category, v_title, coalesce(p_description, ''),
			v_source, v_region.code, v_region.path, coalesce(p_location, ''), c.lat, c.lon,
			v_dedup, v_exercise, v_now, session_user, v_now, v_now + v_sla.ack,
			v_now + v_sla.dispatch, v_now + v_sla.arrive, v_now + v_sla.close
		FROM (SELECT lat, lon FROM region WHERE path @> v_region.path AND lat IS NOT NULL
			ORDER BY nlevel(path) DESC LIMIT 1) c
		ON CONFLICT (exercise, dedup_key) WHERE is_open AND dedup_key IS NOT NULL DO NOTHING
		RETURNING * INTO v_inc;
		-- Lost a race with another raise of the same key: merge into it.
		EXIT WHEN v_inc.id IS NOT NULL;
	END LOOP;

	PERFORM event_log(v_inc, 'raise', NULL, 'new', NULL, v_source);
	PERFORM audit_log('incident.raise', v_inc.ref, jsonb_build_object('category', v_category,
		'priority', p_priority, 'region', v_region.code, 'source', v_source,
		'exercise', v_exercise));
	RETURN QUERY SELECT v_inc.ref, false;
END
$$;

-- The incident that holds a unit, as the caller may be told: its ref and
-- who dispatched it when it is in scope, else only that it is elsewhere.
CREATE FUNCTION cityops.unit_holder(me cityops.caller, p_unit_id int) RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT CASE WHEN a.region_path <@ me.scope_path
		THEN format('incident %s (dispatched by %s)', i.ref, a.assigned_by)
		ELSE 'an incident outside your scope' END
	FROM assignment a JOIN incident i ON i.id = a.incident_id
	WHERE a.unit_id = p_unit_id AND a.released_at IS NULL
$$;

CREATE OR REPLACE FUNCTION cityops.assign_units(me cityops.caller, p_incident cityops.incident,
	p_to_state text, p_units text[], p_note text) RETURNS void
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_name text;
	v_unit unit;
BEGIN
	FOR v_name IN SELECT DISTINCT upper(btrim(x)) FROM unnest(p_units) x ORDER BY 1 LOOP
		SELECT * INTO v_unit FROM unit WHERE callsign = v_name;
		-- Out of scope reads exactly as missing.
		IF NOT FOUND OR NOT v_unit.region_path <@ me.scope_path THEN
			RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no unit %s', v_name);
		END IF;
		IF v_unit.status = 'out_of_service' THEN
			RAISE EXCEPTION USING ERRCODE = 'CO005',
				MESSAGE = format('unit %s is out of service', v_unit.callsign);
		END IF;
		BEGIN
			INSERT INTO assignment (incident_id, unit_id, region_path, assigned_at, assigned_by)
				VALUES (p_incident.id, v_unit.id, p_incident.region_path, cityops.now(), session_user);
		EXCEPTION WHEN unique_violation THEN
			RAISE EXCEPTION USING ERRCODE = 'CO005',
				MESSAGE = format('unit %s is on %s', v_unit.callsign,
					unit_holder(me, v_unit.id)),
				HINT = 'choose another unit; recommend lists the available ones';
		END;
		UPDATE unit SET status = 'dispatched', updated_at = cityops.now() WHERE id = v_unit.id;
		PERFORM event_log(p_incident, 'dispatch', p_incident.state, p_to_state,
			v_unit.callsign, p_note);
	END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION cityops.incident_act(p_incident text, p_action text,
	p_note text DEFAULT NULL, p_units text[] DEFAULT NULL)
RETURNS TABLE (ref text, from_state text, to_state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_now timestamptz := cityops.now();
	v_act action;
	v_inc incident;
	v_to text;
	v_note text := nullif(btrim(p_note), '');
	v_has_units bool := coalesce(cardinality(p_units), 0) > 0;
	v_sla sla_policy;
	v_key text := btrim(p_incident);
BEGIN
	SELECT * INTO v_act FROM action WHERE name = lower(btrim(p_action));
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('unknown action %s', p_action),
			HINT = (SELECT 'actions: ' || string_agg(name, ', ' ORDER BY ord) FROM action);
	END IF;
	PERFORM require_role(me, v_act.min_role, v_act.name);
	PERFORM check_length(CASE v_act.name WHEN 'note' THEN 'note' ELSE 'reason' END, v_note, 2000);

	-- Lock the incident: acts on one incident are serialised. One outside
	-- the caller's scope reads exactly as a missing one.
	SELECT * INTO v_inc FROM incident i
		WHERE CASE WHEN v_key ~ '^[0-9]{1,18}$' THEN i.id = v_key::bigint ELSE i.ref = v_key END
		FOR UPDATE;
	IF NOT FOUND OR NOT v_inc.region_path <@ me.scope_path THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no incident %s', p_incident);
	END IF;

	SELECT coalesce(t.to_state, v_inc.state) INTO v_to FROM transition t
		WHERE t.action = v_act.name AND t.from_state = v_inc.state;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CO004',
			MESSAGE = format('incident %s is %s; cannot %s', v_inc.ref, v_inc.state, v_act.name),
			HINT = 'allowed: ' || coalesce(nullif(allowed_actions(v_inc.state, me.rank,
				v_inc.escalation), ''), 'nothing');
	END IF;

	IF v_act.reason_required AND v_note IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('%s needs %s', v_act.name,
				CASE v_act.name WHEN 'note' THEN 'a text' ELSE 'a reason' END);
	END IF;
	IF v_act.units_required AND NOT v_has_units THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('%s needs at least one unit', v_act.name);
	END IF;
	IF v_has_units AND NOT v_act.units_required THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('%s takes no units', v_act.name);
	END IF;
	IF v_act.name = 'escalate' AND v_inc.escalation >= 3 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('incident %s is already at the highest escalation level 3', v_inc.ref);
	END IF;

	-- The units.
	CASE v_act.unit_effect
	WHEN 'assign' THEN
		PERFORM assign_units(me, v_inc, v_to, p_units, v_note);
	WHEN 'en_route', 'on_scene' THEN
		UPDATE unit u SET status = v_act.unit_effect, updated_at = v_now
			FROM assignment a
			WHERE a.incident_id = v_inc.id AND a.released_at IS NULL AND u.id = a.unit_id
				AND u.status <> v_act.unit_effect;
	WHEN 'release' THEN
		WITH released AS (
			UPDATE assignment SET released_at = v_now, released_by = session_user
			WHERE incident_id = v_inc.id AND released_at IS NULL
			RETURNING unit_id)
		UPDATE unit u SET status = 'available', updated_at = v_now
			FROM released r WHERE u.id = r.unit_id;
	ELSE
		NULL;
	END CASE;

	-- The incident. A reopened case gets fresh dispatch/arrive/close
	-- deadlines counted from now; escalation counts up.
	IF v_act.name = 'reopen' THEN
		v_sla := sla_for(v_inc.category_code, v_inc.priority);
	END IF;
	UPDATE incident i SET
		state = v_to,
		escalation = i.escalation + CASE WHEN v_act.name = 'escalate' THEN 1 ELSE 0 END,
		dispatch_due = coalesce(v_now + v_sla.dispatch, i.dispatch_due),
		arrive_due = coalesce(v_now + v_sla.arrive, i.arrive_due),
		close_due = coalesce(v_now + v_sla.close, i.close_due),
		updated_at = v_now
	WHERE i.id = v_inc.id;

	-- The timeline: dispatch wrote one row per unit already.
	IF v_act.unit_effect IS DISTINCT FROM 'assign' THEN
		PERFORM event_log(v_inc, v_act.name, v_inc.state, v_to, NULL,
			CASE WHEN v_act.name = 'escalate'
				THEN concat_ws('; ', format('escalation %s → %s', v_inc.escalation,
					v_inc.escalation + 1), v_note)
				ELSE v_note END);
	END IF;
	PERFORM audit_log('incident.' || v_act.name, v_inc.ref, jsonb_strip_nulls(jsonb_build_object(
		'from', v_inc.state, 'to', v_to, 'note', v_note, 'units', p_units)));
	RETURN QUERY SELECT v_inc.ref, v_inc.state, v_to;
END
$$;

CREATE OR REPLACE FUNCTION cityops.unit_set_status(p_unit text, p_status text,
	p_note text DEFAULT NULL)
RETURNS TABLE (callsign text, from_status text, to_status text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_unit unit;
	v_holder text;
BEGIN
	PERFORM require_role(me, 'officer', 'setting a unit''s status');
	IF p_status IS NULL OR p_status NOT IN ('available', 'out_of_service', 'returning') THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('status %s cannot be set directly', coalesce(p_status, '(none)')),
			HINT = 'one of: available, out_of_service, returning; the others follow the incident';
	END IF;
	PERFORM check_length('note', nullif(btrim(p_note), ''), 2000);
	SELECT * INTO v_unit FROM unit u WHERE u.callsign = upper(btrim(p_unit)) FOR UPDATE;
	-- Out of scope reads exactly as missing.
	IF NOT FOUND OR NOT v_unit.region_path <@ me.scope_path THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no unit %s', p_unit);
	END IF;
	v_holder := unit_holder(me, v_unit.id);
	IF v_holder IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO005',
			MESSAGE = format('unit %s is on %s', v_unit.callsign, v_holder),
			HINT = 'release it through its incident (return, resolve or cancel)';
	END IF;
	UPDATE unit u SET status = p_status, updated_at = cityops.now() WHERE u.id = v_unit.id;
	PERFORM audit_log('unit.status', v_unit.callsign, jsonb_strip_nulls(jsonb_build_object(
		'from', v_unit.status, 'to', p_status, 'note', nullif(btrim(p_note), ''))));
	RETURN QUERY SELECT v_unit.callsign, v_unit.status, p_status;
END
$$;

CREATE OR REPLACE FUNCTION cityops.mode_set(p_mode text, p_level text DEFAULT NULL,
	p_kind text DEFAULT NULL, p_reason text DEFAULT NULL)
RETURNS TABLE (mode text, level text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_mode text := lower(btrim(p_mode));
	v_level text := upper(nullif(btrim(p_level), ''));
	v_kind text := nullif(btrim(p_kind), '');
	v_reason text;
BEGIN
	PERFORM require_role(me, 'supervisor', 'mode');
	IF v_mode IS NULL THEN
		PERFORM check_one_of('mode', '(none)', ARRAY['peace', 'emergency']);
	END IF;
	PERFORM check_one_of('mode', v_mode, ARRAY['peace', 'emergency']);
	IF v_mode = 'emergency' THEN
		IF v_level IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'emergency mode needs a level',
				HINT = 'one of: I, II, III, IV (I the highest)';
		END IF;
		PERFORM check_one_of('level', v_level, ARRAY['I', 'II', 'III', 'IV']);
		v_kind := require_text(v_kind, 'emergency mode needs a kind, such as 防汛防台');
		PERFORM check_length('kind', v_kind, 200);
	ELSE
		IF v_level IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'peace mode takes no level';
		END IF;
		v_kind := NULL;
	END IF;
	v_reason := require_text(p_reason, 'a mode change needs a reason');
	PERFORM check_length('reason', v_reason, 2000);
	INSERT INTO cityops.mode AS m (mode, level, kind, reason, set_by, set_at)
		VALUES (v_mode, v_level, v_kind, v_reason, session_user, cityops.now());
	PERFORM audit_log('mode.set', v_mode, jsonb_strip_nulls(jsonb_build_object(
		'level', v_level, 'kind', v_kind, 'reason', v_reason)));
	RETURN QUERY SELECT v_mode, v_level;
END
$$;

CREATE OR REPLACE FUNCTION cityops.alarm_ack(p_alarm bigint, p_note text)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v alarm;
BEGIN
	PERFORM require_role(me, 'officer', 'acknowledge an alarm');
	PERFORM check_length('note', p_note, 2000);
	SELECT * INTO v FROM alarm a WHERE a.id = p_alarm FOR UPDATE;
	IF NOT FOUND OR NOT v.region_path <@ me.scope_path THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no alarm %s', p_alarm);
	END IF;
	IF v.state <> 'raised' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO004',
			MESSAGE = format('alarm %s is %s; only a raised alarm can be acknowledged',
				p_alarm, v.state);
	END IF;
	UPDATE alarm a SET state = 'acknowledged', acknowledged_at = cityops.now(),
		acknowledged_by = session_user WHERE a.id = p_alarm;
	PERFORM audit_log('alarm.ack', p_alarm::text, jsonb_build_object('note', p_note));
	RETURN QUERY SELECT p_alarm, 'acknowledged'::text;
END
$$;

-- ------------------------------------------------------------------------
-- 1. Every other function: pg_temp last. Functions with a SQL-standard
-- body need no path (their names are bound) and keep none, so that they
-- can still be inlined.
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN
		SELECT p.oid FROM pg_proc p
		WHERE p.pronamespace = 'cityops'::regnamespace AND p.prosqlbody IS NULL
			AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c
				WHERE c = 'search_path=cityops, public, pg_temp')
	LOOP
		EXECUTE format('ALTER FUNCTION %s SET search_path = cityops, public, pg_temp', f);
	END LOOP;
END
$$;

-- ------------------------------------------------------------------------
-- 1. No temporary objects for operators, present or future: TEMPORARY is
-- revoked from PUBLIC (every login) rather than from each operator, so a
-- login an admin adds tomorrow has none either. Superusers (migrations,
-- the demo seed, pgTAP) keep it; nothing else here needs it. CREATE on
-- schema public is PostgreSQL 15's default; asserted for clusters that
-- were upgraded with the old one.
DO $$
BEGIN
	EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
	EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM cityops_user', current_database());
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- New functions: nothing for PUBLIC, everything for cityops_user; the
-- clock grants are the owner's alone.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
REVOKE ALL ON cityops.clock_grant FROM PUBLIC;
GRANT SELECT ON cityops.clock_grant TO cityops_user;
