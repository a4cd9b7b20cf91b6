-- 005_reads: name resolution and the read API of docs/sql-api.md.
--
-- Every function here is SECURITY INVOKER: it runs as the caller, so
-- row-level security limits the answer to the caller's scope, and a row out
-- of scope is simply "not found". PL/pgSQL functions returning TABLE use
-- "#variable_conflict use_column" because their OUT names (id, ref, …) are
-- also column names.

-- ------------------------------------------------------------------------
-- Names accepted as arguments.

-- A region by code, exact name, or name without its suffix; CO001 if none.
-- A short name can be ambiguous (a 南桥 street and a 南桥 grid, say): the
-- highest level wins, then the lowest code.
CREATE FUNCTION cityops.region_resolve(p_region text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
CREATE FUNCTION cityops.incident_resolve(p_incident text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
CREATE FUNCTION cityops.unit_resolve(p_unit text) RETURNS int
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
CREATE FUNCTION cityops.category_resolve(p_category text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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

CREATE FUNCTION cityops.unit_kind_resolve(p_kind text) RETURNS char(1)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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

CREATE FUNCTION cityops.indicator_category_resolve(p_category text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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

-- CO006 unless p_value is NULL or one of p_allowed; p_what names it.
CREATE FUNCTION cityops.check_one_of(p_what text, p_value text, p_allowed text[])
RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
	IF p_value IS NOT NULL AND NOT p_value = ANY (p_allowed) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('unknown %s %s', p_what, p_value),
			HINT = format('one of: %s', array_to_string(p_allowed, ', '));
	END IF;
END
$$;

CREATE FUNCTION cityops.check_priority(p_priority int) RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
	IF p_priority IS NOT NULL AND p_priority NOT BETWEEN 1 AND 4 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'priority must be 1 to 4',
			HINT = '1 is the most urgent';
	END IF;
END
$$;

-- ------------------------------------------------------------------------
-- Small shared pieces.

-- 上海市 › 奉贤区 › 南桥镇
CREATE FUNCTION cityops.breadcrumb(p_path ltree) RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public
AS $$
	SELECT string_agg(name, ' › ' ORDER BY nlevel(path)) FROM region WHERE path @> p_path
$$;

-- The actions a caller of rank p_rank may take from p_state, in loop order.
CREATE FUNCTION cityops.allowed_actions(p_state text, p_rank int, p_escalation int DEFAULT 0)
RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public
AS $$
	SELECT coalesce(string_agg(a.name, ', ' ORDER BY a.ord), '')
	FROM transition t JOIN action a ON a.name = t.action
	WHERE t.from_state = p_state AND role_rank(a.min_role) <= p_rank
		AND NOT (a.name = 'escalate' AND p_escalation >= 3)
$$;

-- Open real incidents and the worst vital sign in a subtree, as the caller
-- sees them. Both lookups go through GiST indexes on region_path.
CREATE FUNCTION cityops.region_rollup(p_path ltree,
	OUT open_incidents int, OUT worst_indicator text, OUT worst_state text, OUT worst_value numeric)
LANGUAGE sql STABLE SET search_path = cityops, public
AS $$
	SELECT
		(SELECT count(*)::int FROM incident
			WHERE is_open AND NOT exercise AND region_path <@ p_path),
		w.id, coalesce(w.state, 'nodata'), w.last_value
	FROM (SELECT 1) one
	LEFT JOIN LATERAL (
		SELECT i.id, i.last_value, indicator_state(i.last_state, i.last_at, i.stale_s, cityops.now()) AS state
		FROM indicator i WHERE i.region_path <@ p_path
		ORDER BY state_severity(indicator_state(i.last_state, i.last_at, i.stale_s, cityops.now())) DESC, i.id
		LIMIT 1) w ON true
$$;

-- Public facts about a unit (call sign, name, kind, status) for incident
-- cards, whatever the caller's scope: a cross-district unit on an
-- in-scope incident must still be named. Nothing else leaks.
CREATE FUNCTION cityops.unit_card(p_unit_id int,
	OUT callsign text, OUT name text, OUT kind char(1), OUT status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cityops, public
AS $$
	SELECT callsign, name, kind, status FROM unit WHERE id = p_unit_id
$$;

-- What the queue and the incident card show of an incident.
CREATE VIEW cityops.incident_board WITH (security_invoker = true) AS
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

-- What unit lists show. incident_exercise tells drill assignments apart.
CREATE VIEW cityops.unit_board WITH (security_invoker = true) AS
SELECT u.id, u.callsign, u.name, k.name AS kind, d.name AS department, r.name AS region_name,
	u.status, i.ref AS incident_ref, i.exercise AS incident_exercise, u.updated_at,
	u.lat, u.lon, u.kind AS kind_code, u.region_path
FROM cityops.unit u
JOIN cityops.unit_kind k ON k.code = u.kind
JOIN cityops.department d ON d.code = u.department_code
JOIN cityops.region r ON r.code = u.region_code
LEFT JOIN cityops.assignment a ON a.unit_id = u.id AND a.released_at IS NULL
LEFT JOIN cityops.incident i ON i.id = a.incident_id;

-- ------------------------------------------------------------------------
-- The read API.

CREATE FUNCTION cityops.whoami()
RETURNS TABLE (login name, display_name text, role text, scope_code text, scope_name text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
AS $$
DECLARE
	me caller := caller();
BEGIN
	RETURN QUERY SELECT me.login, me.display_name, me.role, me.scope_code, me.scope_name;
END
$$;

-- Open incidents only unless p_all; exercise incidents instead of real ones
-- when p_exercise (drill data never mixes into the real queue); NULL
-- filters are ignored. Most urgent first: SLA breached, then priority, then
-- SLA left, then age.
CREATE FUNCTION cityops.queue(p_state text DEFAULT NULL, p_region text DEFAULT NULL,
	p_priority int DEFAULT NULL, p_source text DEFAULT NULL, p_all bool DEFAULT false,
	p_exercise bool DEFAULT false, p_limit int DEFAULT 50)
RETURNS TABLE (id bigint, ref text, priority int, category text, category_name text,
	region_code text, region_name text, state text, source text, age_s bigint,
	sla_due timestamptz, sla_left_s bigint, title text, exercise bool, escalation int,
	units text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
	RETURN QUERY
	SELECT b.id, b.ref, b.priority, b.category, b.category_name, b.region_code, b.region_name,
		b.state, b.source, b.age_s, b.sla_due, b.sla_left_s, b.title, b.exercise,
		b.escalation, b.units
	FROM incident_board b
	WHERE (b.is_open OR coalesce(p_all, false))
		AND b.exercise = coalesce(p_exercise, false)
		AND (p_state IS NULL OR b.state = p_state)
		AND (v_path IS NULL OR b.region_path <@ v_path)
		AND (p_priority IS NULL OR b.priority = p_priority)
		AND (p_source IS NULL OR b.source = p_source)
	ORDER BY coalesce(b.sla_due < v_now, false) DESC, b.priority, b.sla_due NULLS LAST,
		b.created_at
	LIMIT greatest(coalesce(p_limit, 50), 0);
END
$$;

CREATE FUNCTION cityops.incident_get(p_incident text)
RETURNS TABLE (id bigint, ref text, priority int, category text, category_name text,
	title text, description text, source text, region_code text, region_name text,
	breadcrumb text, location text, lat numeric, lon numeric, state text, escalation int,
	exercise bool, dedup_key text, created_at timestamptz, created_by name, sla_stage text,
	sla_due timestamptz, sla_left_s bigint, allowed text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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

CREATE FUNCTION cityops.incident_timeline(p_incident text)
RETURNS TABLE (at timestamptz, actor name, action text, from_state text, to_state text,
	unit text, note text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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

CREATE FUNCTION cityops.incident_units(p_incident text)
RETURNS TABLE (callsign text, name text, kind text, status text, assigned_at timestamptz,
	released_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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

-- p_exercise: NULL all units; true units on drill incidents only; false
-- units not on a drill incident.
CREATE FUNCTION cityops.units(p_kind text DEFAULT NULL, p_status text DEFAULT NULL,
	p_region text DEFAULT NULL, p_exercise bool DEFAULT NULL)
RETURNS TABLE (callsign text, name text, kind text, department text, region_name text,
	status text, incident_ref text, updated_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
		AND (p_exercise IS NULL OR coalesce(b.incident_exercise, false) = p_exercise)
	ORDER BY b.callsign;
END
$$;

CREATE FUNCTION cityops.unit_get(p_unit text)
RETURNS TABLE (callsign text, name text, kind text, department text, region_name text,
	status text, incident_ref text, updated_at timestamptz, lat numeric, lon numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
CREATE FUNCTION cityops.distance_km(lat1 numeric, lon1 numeric, lat2 numeric, lon2 numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT round((2 * 6371 * asin(sqrt(
		power(sin(radians(lat2 - lat1) / 2), 2)
		+ cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)
	)))::numeric, 2)
$$;

-- Available units of a kind suited to the incident's category, nearest
-- first, among the units the caller can see (and so may dispatch).
CREATE FUNCTION cityops.recommend(p_incident text, p_limit int DEFAULT 5)
RETURNS TABLE (callsign text, name text, kind text, department text, region_name text,
	distance_km numeric, status text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
	WHERE i.id = v_id
	ORDER BY distance_km(i.lat, i.lon, b.lat, b.lon) NULLS LAST,
		array_position(c.unit_kinds, b.kind_code), b.callsign
	LIMIT greatest(coalesce(p_limit, 5), 0);
END
$$;

CREATE FUNCTION cityops.region_get(p_region text)
RETURNS TABLE (code text, name text, level text, breadcrumb text, open_incidents int,
	worst_indicator text, worst_state text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
	FROM region r, LATERAL region_rollup(r.path) x
	WHERE r.code = v_code;
END
$$;

-- The region's children with open real incidents and the worst vital sign,
-- each rolled up over the child's subtree.
CREATE FUNCTION cityops.region_children(p_region text)
RETURNS TABLE (code text, name text, level text, open_incidents int, worst_indicator text,
	worst_state text, worst_value numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
	FROM region r, LATERAL region_rollup(r.path) x
	WHERE r.parent_code = v_code
	ORDER BY r.code;
END
$$;

-- Vital signs under a region (default: everything the caller sees), worst
-- first: alarm, warn, stale, normal, nodata.
CREATE FUNCTION cityops.vitals(p_region text DEFAULT NULL, p_category text DEFAULT NULL,
	p_limit int DEFAULT 200)
RETURNS TABLE (indicator_id text, category text, name text, region_name text, value numeric,
	unit text, state text, at timestamptz, warn numeric, alarm numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
		i.warn, i.alarm
	FROM indicator i
	JOIN indicator_category c ON c.code = i.category_code
	JOIN region r ON r.code = i.region_code
	CROSS JOIN LATERAL (SELECT indicator_state(i.last_state, i.last_at, i.stale_s, v_now) AS state) s
	WHERE (v_path IS NULL OR i.region_path <@ v_path)
		AND (v_category IS NULL OR i.category_code = v_category)
	ORDER BY state_severity(s.state) DESC, c.ord, i.id
	LIMIT greatest(coalesce(p_limit, 200), 0);
END
$$;

CREATE FUNCTION cityops.indicator_history(p_indicator text, p_hours int DEFAULT 24)
RETURNS TABLE (at timestamptz, value numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
	SELECT r.at, r.value FROM reading r
	WHERE r.indicator_id = p_indicator
		AND r.at >= cityops.now() - make_interval(hours => coalesce(p_hours, 24))
	ORDER BY r.at;
END
$$;

CREATE FUNCTION cityops.mode_get()
RETURNS TABLE (mode text, level text, kind text, reason text, set_by name, set_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
AS $$
#variable_conflict use_column
BEGIN
	PERFORM caller();
	RETURN QUERY
	SELECT m.mode, m.level, m.kind, m.reason, m.set_by, m.set_at
	FROM mode m ORDER BY m.id DESC LIMIT 1;
END
$$;
