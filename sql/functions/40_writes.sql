-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The write API (docs/sql-api.md, "Writes"): SECURITY DEFINER functions
-- that check the caller's role, scope and the allowed transition before
-- they change anything; clients never write tables.
--
-- Every write runs as the owner with a fixed search_path and therefore
-- bypasses row-level security: each one checks, in this order, that the
-- caller is an operator (CO007), has the role (CO002), that the object
-- exists (CO001) and is in scope (CO003; out of scope reads as missing),
-- that the transition is allowed (CO004), the arguments (CO006), and for
-- units whether they are free (CO005). Nothing is changed unless every
-- check passes.

-- The SLA row for a category and priority, falling back to category '*',
-- with every deadline times the sla_factor of the emergency mode in force
-- for the caller (migration 051; 1 in peace or a mode without a policy):
-- the real mode, or in a drill session the drill's own (mode_now()).
CREATE OR REPLACE FUNCTION cityops.sla_for(p_category text, p_priority int) RETURNS cityops.sla_policy
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT s.category_code, s.priority, s.ack * f.k, s.dispatch * f.k, s.arrive * f.k,
		s.close * f.k
	FROM sla_policy s,
		(SELECT coalesce((SELECT p.sla_factor FROM mode_policy p
			WHERE (p.kind, p.level) = (m.kind, m.level)), 1)::float8 AS k
		 FROM mode_now() m) f
	WHERE s.category_code IN (p_category, '*') AND s.priority = p_priority
	ORDER BY s.category_code = '*'
	LIMIT 1
$$;

-- The next ref of the Shanghai calendar day of p_at: YYMMDD-NNNN. Past
-- 9999 a day the number grows a digit (migration 009).
CREATE OR REPLACE FUNCTION cityops.next_ref(p_at timestamptz) RETURNS text
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
-- The day's number is nextval - the day's base (migration 040): no row
-- lock held to commit, so concurrent raises do not wait for each other.
DECLARE
	v_day date := (p_at AT TIME ZONE 'Asia/Shanghai')::date;
	v bigint := nextval('cityops.ref_seq');
	v_base bigint;
BEGIN
	INSERT INTO ref_counter (day, base) VALUES (v_day, v - 1)
		ON CONFLICT (day) DO NOTHING;
	SELECT c.base INTO STRICT v_base FROM ref_counter c WHERE c.day = v_day;
	-- Drawn before the raise that set the day's base (around midnight):
	-- draw again; a number above the base is the day's and unique.
	WHILE v <= v_base LOOP
		v := nextval('cityops.ref_seq');
	END LOOP;
	RETURN to_char(v_day, 'YYMMDD') || '-'
		|| CASE WHEN v - v_base < 10000 THEN lpad((v - v_base)::text, 4, '0')
			ELSE (v - v_base)::text END;
END
$$;

CREATE OR REPLACE FUNCTION cityops.event_log(p_incident cityops.incident, p_action text,
	p_from text, p_to text, p_unit text, p_note text) RETURNS void
LANGUAGE sql SET search_path = cityops, public, pg_temp
AS $$
	INSERT INTO incident_event (incident_id, region_path, at, actor, action, from_state,
		to_state, unit, note)
	VALUES (p_incident.id, p_incident.region_path, cityops.now(), session_user, p_action,
		p_from, p_to, p_unit, p_note)
$$;

-- The incident that holds a unit, as the caller may be told: its ref and
-- who dispatched it when it is in scope, else only that it is elsewhere.
CREATE OR REPLACE FUNCTION cityops.unit_holder(me cityops.caller, p_unit_id int) RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT CASE WHEN a.region_path <@ me.scope_path
		THEN format('incident %s (dispatched by %s)', i.ref, a.assigned_by)
		ELSE 'an incident outside your scope' END
	FROM assignment a JOIN incident i ON i.id = a.incident_id
	WHERE a.unit_id = p_unit_id AND a.released_at IS NULL
$$;

-- ------------------------------------------------------------------------
-- Raise an incident, or merge the report into the open incident with the
-- same dedup key (same exercise flag): then the existing ref is returned
-- with merged = true and the report is a 'merge' row on its timeline.
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

-- ------------------------------------------------------------------------
-- Assign units to an incident (the unit side of 'dispatch'). Units are
-- taken in call-sign order so that two dispatches naming the same units
-- in different orders cannot deadlock. The partial unique index on
-- assignment decides races; its violation becomes CO005 naming the holder.
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

-- Every action of the incident loop. What is allowed comes from the
-- transition and action tables (002_reference); the per-action side
-- effects are the unit effect of the action plus the few special cases
-- in the UPDATE below.
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
				THEN concat_ws('; ', format('升级 %s → %s', v_inc.escalation,
					v_inc.escalation + 1), v_note)
				ELSE v_note END);
	END IF;
	PERFORM audit_log('incident.' || v_act.name, v_inc.ref, jsonb_strip_nulls(jsonb_build_object(
		'from', v_inc.state, 'to', v_to, 'note', v_note, 'units', p_units)));
	RETURN QUERY SELECT v_inc.ref, v_inc.state, v_to;
END
$$;

-- ------------------------------------------------------------------------
-- An officer marks a unit available, out of service or returning. Units on
-- an incident change status only through the incident loop (accept,
-- arrive; return, resolve and cancel release them), so this refuses a unit
-- with an active assignment (CO005).
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

-- ------------------------------------------------------------------------
-- 平战切换: peace, or emergency at level I–IV of a kind (防汛防台 …).
-- Any supervisor may switch; the act is on the audit trail with who and why.
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
	-- A drill session switches the drill's own mode (migration 057).
	IF drill_session() IS NOT NULL THEN
		PERFORM drill_mode_record(v_mode, v_level, v_kind, v_reason);
		RETURN QUERY SELECT v_mode, v_level;
		RETURN;
	END IF;
	INSERT INTO cityops.mode AS m (mode, level, kind, reason, set_by, set_at)
		VALUES (v_mode, v_level, v_kind, v_reason, session_user, cityops.now());
	PERFORM audit_log('mode.set', v_mode, jsonb_strip_nulls(jsonb_build_object(
		'level', v_level, 'kind', v_kind, 'reason', v_reason)));
	RETURN QUERY SELECT v_mode, v_level;
END
$$;

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
