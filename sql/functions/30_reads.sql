-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The read API (docs/sql-api.md, "Reads"): SECURITY INVOKER functions, so
-- row-level security limits every answer to the caller's scope, plus the
-- name resolvers and the views they share. Exercise data is left out of
-- every real view (migration 008, rule 1).
--
-- A row out of scope is simply "not found". PL/pgSQL functions returning
-- TABLE use "#variable_conflict use_column" because their OUT names (id,
-- ref, …) are also column names. Some helpers (queue_ids, region_rollups,
-- reading_history) are SECURITY DEFINER and apply the caller's scope
-- themselves so that they plan with real values (migration 009 says why);
-- their readers fetch the rows through row-level security as before.

-- A region by code, exact name, or name without its suffix; CO001 if none.
-- A short name can be ambiguous (a 南桥 street and a 南桥 grid, say): the
-- highest level wins, then the lowest code.
CREATE OR REPLACE FUNCTION cityops.region_resolve(p_region text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_code text;
BEGIN
	SELECT code INTO v_code FROM region
		WHERE code = btrim(p_region) OR name = btrim(p_region) OR short_name = btrim(p_region)
		ORDER BY code = btrim(p_region) DESC, name = btrim(p_region) DESC, nlevel(path), code
		LIMIT 1;
	IF v_code IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no region %s', p_region);
	END IF;
	RETURN v_code;
END
$$;

-- An incident visible to the caller by id or ref; CO001 if none.
CREATE OR REPLACE FUNCTION cityops.incident_resolve(p_incident text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_key text := btrim(p_incident);
BEGIN
	IF v_key ~ '^[0-9]{1,18}$' THEN
		SELECT id INTO v_id FROM incident WHERE id = v_key::bigint;
	ELSE
		SELECT id INTO v_id FROM incident WHERE ref = v_key;
	END IF;
	IF v_id IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no incident %s', p_incident);
	END IF;
	RETURN v_id;
END
$$;

-- A unit visible to the caller by call sign, any case; CO001 if none.
CREATE OR REPLACE FUNCTION cityops.unit_resolve(p_unit text) RETURNS int
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_id int;
BEGIN
	SELECT id INTO v_id FROM unit WHERE callsign = upper(btrim(p_unit));
	IF v_id IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no unit %s', p_unit);
	END IF;
	RETURN v_id;
END
$$;

-- Reference lookups by code or name: category (flood / 积水内涝), unit kind
-- (F / fire / 消防), indicator category (water / 水务/防汛); CO006 if unknown.
CREATE OR REPLACE FUNCTION cityops.category_resolve(p_category text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_code text;
BEGIN
	SELECT code INTO v_code FROM category
		WHERE code = lower(btrim(p_category)) OR name = btrim(p_category);
	IF v_code IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('unknown category %s', coalesce(p_category, '(none)')),
			HINT = (SELECT 'categories: ' || string_agg(code || ' ' || name, ', ' ORDER BY code) FROM category);
	END IF;
	RETURN v_code;
END
$$;

CREATE OR REPLACE FUNCTION cityops.unit_kind_resolve(p_kind text) RETURNS char(1)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_code char(1);
BEGIN
	SELECT code INTO v_code FROM unit_kind
		WHERE code = upper(btrim(p_kind)) OR name = lower(btrim(p_kind)) OR name_zh = btrim(p_kind);
	IF v_code IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = format('unknown unit kind %s', p_kind),
			HINT = (SELECT 'kinds: ' || string_agg(code || ' ' || name, ', ' ORDER BY code) FROM unit_kind);
	END IF;
	RETURN v_code;
END
$$;

CREATE OR REPLACE FUNCTION cityops.indicator_category_resolve(p_category text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_code text;
BEGIN
	SELECT code INTO v_code FROM indicator_category
		WHERE code = lower(btrim(p_category)) OR name = btrim(p_category)
			OR split_part(name, '/', 1) = btrim(p_category);
	IF v_code IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('unknown indicator category %s', p_category),
			HINT = (SELECT 'categories: ' || string_agg(code || ' ' || name, ', ' ORDER BY ord)
				FROM indicator_category);
	END IF;
	RETURN v_code;
END
$$;

-- ------------------------------------------------------------------------
-- Small shared pieces.

-- 上海市 › 奉贤区 › 南桥镇
CREATE OR REPLACE FUNCTION cityops.breadcrumb(p_path ltree) RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT string_agg(name, ' › ' ORDER BY nlevel(path)) FROM region WHERE path @> p_path
$$;

-- The actions a caller of rank p_rank may take from p_state, in loop order.
CREATE OR REPLACE FUNCTION cityops.allowed_actions(p_state text, p_rank int, p_escalation int DEFAULT 0)
RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT coalesce(string_agg(a.name, ', ' ORDER BY a.ord), '')
	FROM transition t JOIN action a ON a.name = t.action
	WHERE t.from_state = p_state AND role_rank(a.min_role) <= p_rank
		AND NOT (a.name = 'escalate' AND p_escalation >= 3)
$$;

-- Open real incidents and the worst vital sign in a subtree, as the caller
-- sees them. Both lookups go through GiST indexes on region_path.
CREATE OR REPLACE FUNCTION cityops.region_rollup(p_path ltree,
	OUT open_incidents int, OUT worst_indicator text, OUT worst_state text, OUT worst_value numeric)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT
		(SELECT count(*)::int FROM incident
			WHERE is_open AND NOT exercise AND region_path <@ p_path),
		w.id, coalesce(w.state, 'nodata'), w.last_value
	FROM (SELECT 1) one
	LEFT JOIN LATERAL (
		SELECT i.id, i.last_value, indicator_state(i.last_state, i.last_at, i.stale_s, cityops.now()) AS state
		FROM indicator i WHERE i.region_path <@ p_path AND NOT i.exercise
		ORDER BY state_severity(indicator_state(i.last_state, i.last_at, i.stale_s, cityops.now())) DESC, i.id
		LIMIT 1) w ON true
$$;

-- For each region in p_codes: the open real incidents in its subtree and
-- the worst vital sign there (alarm > warn > stale > normal > nodata,
-- then the lowest id), both limited to the caller's scope, as
-- region_rollup (008_drills) gives them under RLS for one region.
CREATE OR REPLACE FUNCTION cityops.region_rollups(p_codes text[])
RETURNS TABLE (code text, open_incidents int, worst_indicator text, worst_state text,
	worst_value numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
	-- planned for the actual regions and scope each time: a generic plan
	-- cannot tell a street from the whole city
	SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_now timestamptz := cityops.now();
BEGIN
	RETURN QUERY
	WITH target AS (
		SELECT r.code, r.path FROM region r WHERE r.code = ANY (p_codes)
	), leaf AS (
		-- every region under a target and inside the scope, with its target
		SELECT t.code AS target, r.code
		FROM target t JOIN region r ON r.path <@ t.path
		WHERE r.path <@ me.scope_path
	), counted AS (
		-- per region code, from incident_open_region_code
		SELECT l.target, sum(c.n)::int AS n
		FROM leaf l CROSS JOIN LATERAL (SELECT count(*) AS n FROM incident i
			WHERE i.is_open AND NOT i.exercise AND i.region_code = l.code) c
		GROUP BY l.target
	), graded AS (
		-- one pass, no sort: the worst severity per target and the
		-- lowest id at each severity
		SELECT l.target, max(s.sev) AS sev,
			min(i.id) FILTER (WHERE s.sev = 4) AS id4, min(i.id) FILTER (WHERE s.sev = 3) AS id3,
			min(i.id) FILTER (WHERE s.sev = 2) AS id2, min(i.id) FILTER (WHERE s.sev = 1) AS id1,
			min(i.id) FILTER (WHERE s.sev = 0) AS id0
		FROM indicator i JOIN leaf l ON l.code = i.region_code
		CROSS JOIN LATERAL (SELECT state_severity(
			indicator_state(i.last_state, i.last_at, i.stale_s, v_now)) AS sev) s
		WHERE NOT i.exercise          -- drill indicators stay out (008_drills)
		GROUP BY l.target
	), worst AS (
		SELECT g.target, i.id, i.last_value,
			indicator_state(i.last_state, i.last_at, i.stale_s, v_now) AS state
		FROM graded g JOIN indicator i ON i.id = CASE g.sev WHEN 4 THEN g.id4 WHEN 3 THEN g.id3
			WHEN 2 THEN g.id2 WHEN 1 THEN g.id1 ELSE g.id0 END
	)
	SELECT t.code, coalesce(c.n, 0), w.id, coalesce(w.state, 'nodata'), w.last_value
	FROM target t
	LEFT JOIN counted c ON c.target = t.code
	LEFT JOIN worst w ON w.target = t.code;
END
$$;

-- Public facts about a unit (call sign, name, kind, status) for incident
-- cards — only for a unit in the caller's scope, or one on (or once on) an
-- incident in it, so that a cross-district unit on an in-scope incident is
-- still named. Anything else reads as no row, as a missing unit does.
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

-- What the queue and the incident card show of an incident.
CREATE OR REPLACE VIEW cityops.incident_board WITH (security_invoker = true) AS
SELECT i.id, i.ref, i.priority, i.category_code AS category, c.name AS category_name,
	i.region_code, r.name AS region_name, i.state, i.source,
	extract(epoch FROM cityops.now() - i.created_at)::bigint AS age_s,
	i.sla_stage, i.sla_due,
	extract(epoch FROM i.sla_due - cityops.now())::bigint AS sla_left_s,
	i.title, i.exercise, i.escalation, i.is_open, i.region_path, i.created_at,
	(SELECT string_agg(u.callsign, ',' ORDER BY a.assigned_at, u.callsign)
		FROM cityops.assignment a CROSS JOIN LATERAL cityops.unit_card(a.unit_id) u
		WHERE a.incident_id = i.id AND a.released_at IS NULL) AS units
FROM cityops.incident i
JOIN cityops.category c ON c.code = i.category_code
JOIN cityops.region r ON r.code = i.region_code;
REVOKE ALL ON cityops.incident_board FROM PUBLIC;
GRANT SELECT ON cityops.incident_board TO cityops_user;

-- What unit lists show. incident_exercise tells drill assignments apart.
CREATE OR REPLACE VIEW cityops.unit_board WITH (security_invoker = true) AS
SELECT u.id, u.callsign, u.name, k.name AS kind, d.name AS department, r.name AS region_name,
	u.status, i.ref AS incident_ref, i.exercise AS incident_exercise, u.updated_at,
	u.lat, u.lon, u.kind AS kind_code, u.region_path, u.exercise AS unit_exercise
FROM cityops.unit u
JOIN cityops.unit_kind k ON k.code = u.kind
JOIN cityops.department d ON d.code = u.department_code
JOIN cityops.region r ON r.code = u.region_code
LEFT JOIN cityops.assignment a ON a.unit_id = u.id AND a.released_at IS NULL
LEFT JOIN cityops.incident i ON i.id = a.incident_id;
REVOKE ALL ON cityops.unit_board FROM PUBLIC;
GRANT SELECT ON cityops.unit_board TO cityops_user;

-- ------------------------------------------------------------------------
-- The read API.
CREATE OR REPLACE FUNCTION cityops.whoami()
RETURNS TABLE (login name, display_name text, role text, scope_code text, scope_name text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
BEGIN
	RETURN QUERY SELECT me.login, me.display_name, me.role, me.scope_code, me.scope_name;
END
$$;

   -- a prefix of incident_open_order

-- The ids of the first p_limit incidents of the caller's queue, in queue
-- order. Scope: the caller's, narrowed to p_path when given. The query is
-- built with literals so that it is planned for this scope and these
-- filters (a street's few incidents by GiST and a sort; the whole city
-- by walking incident_open_order).
CREATE OR REPLACE FUNCTION cityops.queue_ids(p_path ltree, p_state text, p_priority int, p_source text,
	p_all bool, p_exercise bool, p_limit int, p_now timestamptz)
RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
	v_limit int := greatest(coalesce(p_limit, 50), 0);
	v_where text;
	v_ids bigint[];
	v_more bigint[];
BEGIN
	v_where := format('i.exercise = %L AND i.region_path <@ %L', coalesce(p_exercise, false),
		me.scope_path);
	IF p_path IS NOT NULL THEN
		v_where := v_where || format(' AND i.region_path <@ %L', p_path);
	END IF;
	IF NOT coalesce(p_all, false) THEN
		v_where := v_where || ' AND i.is_open';
	END IF;
	IF p_state IS NOT NULL THEN
		v_where := v_where || format(' AND i.state = %L', p_state);
	END IF;
	IF p_priority IS NOT NULL THEN
		v_where := v_where || format(' AND i.priority = %s', p_priority);
	END IF;
	IF p_source IS NOT NULL THEN
		v_where := v_where || format(' AND i.source = %L', p_source);
	END IF;
	-- Breached cases first; the others only when the page is not full.
	EXECUTE format($q$
		SELECT coalesce(array_agg(id ORDER BY priority, sla_due, created_at, id), '{}') FROM (
			SELECT i.id, i.priority, i.sla_due, i.created_at FROM incident i
			WHERE %s AND i.sla_due < %L
			ORDER BY i.priority, i.sla_due, i.created_at, i.id LIMIT %s) q
		$q$, v_where, p_now, v_limit)
	INTO v_ids;
	IF cardinality(v_ids) < v_limit THEN
		EXECUTE format($q$
			SELECT coalesce(array_agg(id ORDER BY priority, sla_due NULLS LAST, created_at, id), '{}')
			FROM (
				SELECT i.id, i.priority, i.sla_due, i.created_at FROM incident i
				WHERE %s AND (i.sla_due >= %L OR i.sla_due IS NULL)
				ORDER BY i.priority, i.sla_due NULLS LAST, i.created_at, i.id LIMIT %s) q
			$q$, v_where, p_now, v_limit - cardinality(v_ids))
		INTO v_more;
		v_ids := v_ids || v_more;
	END IF;
	RETURN v_ids;
END
$$;

-- Open incidents only unless p_all; exercise incidents instead of real ones
-- when p_exercise (drill data never mixes into the real queue); NULL
-- filters are ignored. Most urgent first: SLA breached, then priority, then
-- SLA left, then age.
CREATE OR REPLACE FUNCTION cityops.queue(p_state text DEFAULT NULL, p_region text DEFAULT NULL,
	p_priority int DEFAULT NULL, p_source text DEFAULT NULL, p_all bool DEFAULT false,
	p_exercise bool DEFAULT false, p_limit int DEFAULT 50)
RETURNS TABLE (id bigint, ref text, priority int, category text, category_name text,
	region_code text, region_name text, state text, source text, age_s bigint,
	sla_due timestamptz, sla_left_s bigint, title text, exercise bool, escalation int,
	units text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_path ltree;
	v_now timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	PERFORM check_one_of('state', p_state, ARRAY(SELECT name FROM state ORDER BY ord));
	PERFORM check_one_of('source', p_source,
		ARRAY['12345', '110', '119', '120', 'sensor', 'patrol', 'opinion', 'officer']);
	PERFORM check_priority(p_priority);
	IF p_region IS NOT NULL THEN
		SELECT path INTO v_path FROM region WHERE code = region_resolve(p_region);
	END IF;
	-- The rows themselves are read under RLS, by primary key.
	RETURN QUERY
	SELECT b.id, b.ref, b.priority, b.category, b.category_name, b.region_code, b.region_name,
		b.state, b.source, b.age_s, b.sla_due, b.sla_left_s, b.title, b.exercise,
		b.escalation, b.units
	FROM unnest(queue_ids(v_path, p_state, p_priority, p_source, p_all, p_exercise, p_limit,
		v_now)) WITH ORDINALITY q(id, ord)
	JOIN incident_board b ON b.id = q.id
	ORDER BY q.ord;
END
$$;

CREATE OR REPLACE FUNCTION cityops.incident_get(p_incident text)
RETURNS TABLE (id bigint, ref text, priority int, category text, category_name text,
	title text, description text, source text, region_code text, region_name text,
	breadcrumb text, location text, lat numeric, lon numeric, state text, escalation int,
	exercise bool, dedup_key text, created_at timestamptz, created_by name, sla_stage text,
	sla_due timestamptz, sla_left_s bigint, allowed text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_id bigint := incident_resolve(p_incident);
BEGIN
	RETURN QUERY
	SELECT b.id, b.ref, b.priority, b.category, b.category_name, i.title, i.description,
		b.source, b.region_code, b.region_name, breadcrumb(i.region_path), i.location,
		i.lat, i.lon, b.state, b.escalation, b.exercise, i.dedup_key, i.created_at,
		i.created_by, b.sla_stage, b.sla_due, b.sla_left_s,
		allowed_actions(b.state, me.rank, b.escalation)
	FROM incident_board b JOIN incident i ON i.id = b.id
	WHERE b.id = v_id;
END
$$;

CREATE OR REPLACE FUNCTION cityops.incident_timeline(p_incident text)
RETURNS TABLE (at timestamptz, actor name, action text, from_state text, to_state text,
	unit text, note text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_id bigint;
BEGIN
	PERFORM caller();
	v_id := incident_resolve(p_incident);
	RETURN QUERY
	SELECT e.at, e.actor, e.action, e.from_state, e.to_state, e.unit, e.note
	FROM incident_event e WHERE e.incident_id = v_id ORDER BY e.at, e.id;
END
$$;

CREATE OR REPLACE FUNCTION cityops.incident_units(p_incident text)
RETURNS TABLE (callsign text, name text, kind text, status text, assigned_at timestamptz,
	released_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_id bigint;
BEGIN
	PERFORM caller();
	v_id := incident_resolve(p_incident);
	-- Units of another district on this incident are shown even when the
	-- caller cannot see them in unit lists: the assignment is in scope.
	RETURN QUERY
	SELECT u.callsign, u.name, k.name, u.status, a.assigned_at, a.released_at
	FROM assignment a
	JOIN LATERAL (SELECT * FROM unit_card(a.unit_id)) u ON true
	JOIN unit_kind k ON k.code = u.kind
	WHERE a.incident_id = v_id
	ORDER BY a.released_at IS NULL DESC, a.assigned_at, u.callsign;
END
$$;

-- p_exercise: NULL all units; true the exercise side (exercise units, and
-- any real unit on an exercise incident); false real units not on one.
CREATE OR REPLACE FUNCTION cityops.units(p_kind text DEFAULT NULL, p_status text DEFAULT NULL,
	p_region text DEFAULT NULL, p_exercise bool DEFAULT NULL)
RETURNS TABLE (callsign text, name text, kind text, department text, region_name text,
	status text, incident_ref text, updated_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_kind char(1);
	v_path ltree;
BEGIN
	PERFORM caller();
	IF p_kind IS NOT NULL THEN
		v_kind := unit_kind_resolve(p_kind);
	END IF;
	PERFORM check_one_of('unit status', p_status, ARRAY['available', 'dispatched',
		'en_route', 'on_scene', 'returning', 'out_of_service']);
	IF p_region IS NOT NULL THEN
		SELECT path INTO v_path FROM region WHERE code = region_resolve(p_region);
	END IF;
	RETURN QUERY
	SELECT b.callsign, b.name, b.kind, b.department, b.region_name, b.status,
		b.incident_ref, b.updated_at
	FROM unit_board b
	WHERE (v_kind IS NULL OR b.kind_code = v_kind)
		AND (p_status IS NULL OR b.status = p_status)
		AND (v_path IS NULL OR b.region_path <@ v_path)
		AND (p_exercise IS NULL
			OR (b.unit_exercise OR coalesce(b.incident_exercise, false)) = p_exercise)
	ORDER BY b.callsign;
END
$$;

CREATE OR REPLACE FUNCTION cityops.unit_get(p_unit text)
RETURNS TABLE (callsign text, name text, kind text, department text, region_name text,
	status text, incident_ref text, updated_at timestamptz, lat numeric, lon numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_id int;
BEGIN
	PERFORM caller();
	v_id := unit_resolve(p_unit);
	RETURN QUERY
	SELECT b.callsign, b.name, b.kind, b.department, b.region_name, b.status,
		b.incident_ref, b.updated_at, b.lat, b.lon
	FROM unit_board b WHERE b.id = v_id;
END
$$;

-- Great-circle distance in km (haversine); good enough within a city.
CREATE OR REPLACE FUNCTION cityops.distance_km(lat1 numeric, lon1 numeric, lat2 numeric,
	lon2 numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.round((2 * 6371 * pg_catalog.asin(pg_catalog.sqrt(
	pg_catalog.power(pg_catalog.sin(pg_catalog.radians(lat2 - lat1) / 2), 2)
	+ pg_catalog.cos(pg_catalog.radians(lat1)) * pg_catalog.cos(pg_catalog.radians(lat2))
		* pg_catalog.power(pg_catalog.sin(pg_catalog.radians(lon2 - lon1) / 2), 2)
)))::numeric, 2);

-- Available units of a kind suited to the incident's category, nearest
-- first, among the units the caller can see (and so may dispatch): exercise
-- units for an exercise incident, real units for a real one.
CREATE OR REPLACE FUNCTION cityops.recommend(p_incident text, p_limit int DEFAULT 5)
RETURNS TABLE (callsign text, name text, kind text, department text, region_name text,
	distance_km numeric, status text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_id bigint;
BEGIN
	PERFORM caller();
	v_id := incident_resolve(p_incident);
	RETURN QUERY
	SELECT b.callsign, b.name, b.kind, b.department, b.region_name,
		distance_km(i.lat, i.lon, b.lat, b.lon), b.status
	FROM incident i
	JOIN category c ON c.code = i.category_code
	JOIN unit_board b ON b.kind_code = ANY (c.unit_kinds) AND b.status = 'available'
		AND b.unit_exercise = i.exercise
	WHERE i.id = v_id
	ORDER BY distance_km(i.lat, i.lon, b.lat, b.lon) NULLS LAST,
		array_position(c.unit_kinds, b.kind_code), b.callsign
	LIMIT greatest(coalesce(p_limit, 5), 0);
END
$$;

CREATE OR REPLACE FUNCTION cityops.region_get(p_region text)
RETURNS TABLE (code text, name text, level text, breadcrumb text, open_incidents int,
	worst_indicator text, worst_state text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_code text;
BEGIN
	PERFORM caller();
	v_code := region_resolve(p_region);
	RETURN QUERY
	SELECT r.code, r.name, r.level, breadcrumb(r.path), x.open_incidents,
		x.worst_indicator, x.worst_state
	FROM region r JOIN region_rollups(ARRAY[v_code]) x ON x.code = r.code
	WHERE r.code = v_code;
END
$$;

-- The region's children with open real incidents and the worst vital sign,
-- each rolled up over the child's subtree.
CREATE OR REPLACE FUNCTION cityops.region_children(p_region text)
RETURNS TABLE (code text, name text, level text, open_incidents int, worst_indicator text,
	worst_state text, worst_value numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_code text;
BEGIN
	PERFORM caller();
	v_code := region_resolve(p_region);
	RETURN QUERY
	SELECT r.code, r.name, r.level, x.open_incidents, x.worst_indicator, x.worst_state,
		x.worst_value
	FROM region r
	JOIN region_rollups(ARRAY(SELECT c.code FROM region c WHERE c.parent_code = v_code)) x
		ON x.code = r.code
	WHERE r.parent_code = v_code
	ORDER BY r.code;
END
$$;

-- Vital signs under a region (default: everything the caller sees), worst
-- first: alarm, warn, stale, normal, nodata; each with its staleness limit
-- and hysteresis, so that the console judges live feed values as the
-- database does (migration 012). Real indicators only.
CREATE OR REPLACE FUNCTION cityops.vitals(p_region text DEFAULT NULL, p_category text DEFAULT NULL,
	p_limit int DEFAULT 200)
RETURNS TABLE (indicator_id text, category text, name text, region_name text, value numeric,
	unit text, state text, at timestamptz, warn numeric, alarm numeric, stale_s int,
	hysteresis numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_path ltree;
	v_category text;
	v_now timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	IF p_region IS NOT NULL THEN
		SELECT path INTO v_path FROM region WHERE code = region_resolve(p_region);
	END IF;
	IF p_category IS NOT NULL THEN
		v_category := indicator_category_resolve(p_category);
	END IF;
	RETURN QUERY
	SELECT i.id, c.name, i.name, r.name, i.last_value, i.uom, s.state, i.last_at,
		i.warn, i.alarm, i.stale_s, i.hysteresis
	FROM indicator i
	JOIN indicator_category c ON c.code = i.category_code
	JOIN region r ON r.code = i.region_code
	CROSS JOIN LATERAL (SELECT indicator_state(i.last_state, i.last_at, i.stale_s, v_now) AS state) s
	WHERE (v_path IS NULL OR i.region_path <@ v_path)
		AND (v_category IS NULL OR i.category_code = v_category)
		AND NOT i.exercise
	ORDER BY state_severity(s.state) DESC, c.ord, i.id
	LIMIT greatest(coalesce(p_limit, 200), 0);
END
$$;

-- ------------------------------------------------------------------------
-- History: the reading policy is an EXISTS on indicator per row; the
-- function has checked the indicator is visible already, so its readings
-- are read without RLS, by primary key (scope checked again here).
CREATE OR REPLACE FUNCTION cityops.reading_history(p_indicator text, p_from timestamptz)
RETURNS TABLE (at timestamptz, value numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	IF NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = p_indicator
			AND i.region_path <@ me.scope_path) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_indicator);
	END IF;
	RETURN QUERY
	SELECT r.at, r.value FROM reading r
	WHERE r.indicator_id = p_indicator AND r.at >= p_from
	ORDER BY r.at;
END
$$;

CREATE OR REPLACE FUNCTION cityops.indicator_history(p_indicator text, p_hours int DEFAULT 24)
RETURNS TABLE (at timestamptz, value numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM caller();
	IF NOT EXISTS (SELECT 1 FROM indicator WHERE id = p_indicator) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_indicator);
	END IF;
	IF coalesce(p_hours, 24) NOT BETWEEN 1 AND 24 * 366 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'hours must be 1 to 8784';
	END IF;
	RETURN QUERY
	SELECT h.at, h.value
	FROM reading_history(p_indicator,
		cityops.now() - make_interval(hours => coalesce(p_hours, 24))) h;
END
$$;

CREATE OR REPLACE FUNCTION cityops.mode_get()
RETURNS TABLE (mode text, level text, kind text, reason text, set_by name, set_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM caller();
	RETURN QUERY
	SELECT m.mode, m.level, m.kind, m.reason, m.set_by, m.set_at
	FROM mode_now() m;
END
$$;

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
