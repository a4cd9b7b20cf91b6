-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Search (issue 14): `find <text>` over every incident in the caller's
-- scope, open and closed, newest first, by reference, title, location,
-- description or note. Migration 056 has the table and its indexes.

-- The distinct characters and character pairs of a text: what the GIN
-- index holds for a document.
CREATE OR REPLACE FUNCTION cityops.search_grams(p_text text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = cityops, public, pg_temp
AS $$
	SELECT ARRAY(SELECT DISTINCT substr(p_text, n, k)
		FROM generate_series(1, char_length(p_text)) n, (VALUES (1), (2)) v(k)
		WHERE n + k - 1 <= char_length(p_text))
$$;

-- What a query needs the document to hold: its one character, or all of
-- its character pairs.
CREATE OR REPLACE FUNCTION cityops.search_query_grams(p_text text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = cityops, public, pg_temp
AS $$
	SELECT CASE WHEN char_length(p_text) = 1 THEN ARRAY[p_text]
		ELSE ARRAY(SELECT DISTINCT substr(p_text, n, 2)
			FROM generate_series(1, char_length(p_text) - 1) n) END
$$;

-- Rebuilds one incident's row (its notes included).
CREATE OR REPLACE FUNCTION cityops.search_refresh(p_incident bigint) RETURNS void
LANGUAGE sql SET search_path = cityops, public, pg_temp
AS $$
	INSERT INTO incident_search (incident_id, region_path, exercise, created_at, doc, grams)
	SELECT i.id, i.region_path, i.exercise, i.created_at, d.doc, search_grams(d.doc)
	FROM incident i
	CROSS JOIN LATERAL (SELECT lower(concat_ws(E'\n', i.ref, i.title, i.location,
		i.description, (SELECT string_agg(e.note, E'\n' ORDER BY e.id) FROM incident_event e
			WHERE e.incident_id = i.id AND e.action = 'note'))) AS doc) d
	WHERE i.id = p_incident
	ON CONFLICT (incident_id) DO UPDATE SET region_path = excluded.region_path,
		exercise = excluded.exercise, doc = excluded.doc, grams = excluded.grams
$$;

CREATE OR REPLACE FUNCTION cityops.incident_search_sync() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF TG_TABLE_NAME = 'incident' THEN
		PERFORM search_refresh(NEW.id);
	ELSE
		PERFORM search_refresh(NEW.incident_id);
	END IF;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS incident_search_sync ON cityops.incident;
CREATE TRIGGER incident_search_sync
	AFTER INSERT OR UPDATE OF ref, title, location, description, region_path, exercise
	ON cityops.incident FOR EACH ROW EXECUTE FUNCTION cityops.incident_search_sync();
DROP TRIGGER IF EXISTS incident_search_note ON cityops.incident_event;
CREATE TRIGGER incident_search_note AFTER INSERT ON cityops.incident_event
	FOR EACH ROW WHEN (NEW.action = 'note' AND NEW.note IS NOT NULL)
	EXECUTE FUNCTION cityops.incident_search_sync();

DROP POLICY IF EXISTS in_scope ON cityops.incident_search;
CREATE POLICY in_scope ON cityops.incident_search FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));

-- The search text, checked: not empty, at most 64 characters, no control
-- characters (nothing of it is echoed back). Returned lower-cased, trimmed.
CREATE OR REPLACE FUNCTION cityops.search_text(p_text text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v text := lower(btrim(coalesce(p_text, '')));
BEGIN
	IF v = '' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'search text is empty',
			HINT = 'find <text>: part of a reference, title, location, description or note';
	END IF;
	IF v ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'search text holds control characters',
			HINT = 'type plain text: no tabs, line breaks or escape sequences';
	END IF;
	PERFORM check_length('search text', v, 64);
	RETURN v;
END
$$;

-- The ids of the newest matches in the caller's scope, newest first.
-- SECURITY DEFINER so that the indexes can be used: under row-level
-- security a condition whose operator is not leakproof (the array's @>,
-- strpos) may not be evaluated before the policy, so it could not be an
-- index condition and every row in scope was read and its grams
-- detoasted (a seq scan: 2.3-2.8 s for 50,000 incidents at load 30).
-- Here the caller's scope is applied explicitly (nothing outside it is
-- returned) and the values go into the statements as literals.
--
-- Two steps. A text found often (地铁站, 路: one incident in ten or more)
-- is answered from the newest 100 x limit rows of the caller's district
-- (or of the city, for a city scope) by an index in created_at order
-- alone (incident_search_newest, incident_search_district_newest): when
-- they hold `limit` matches in scope, no older row can come before them.
-- Otherwise the GIN index finds every match (a rare text has few) and the
-- newest are kept; in a district, its bitmap is ANDed with the
-- district's (a text common elsewhere, 浦东 in 奉贤: 1.5 s -> 38 ms). The planner cannot tell the two apart from the grams'
-- statistics (it estimated 476 rows for a pair held by 5,000 and read
-- them all at random through the GIN index: 1.1 s at load 25).
CREATE OR REPLACE FUNCTION cityops.search_ids(p_text text, p_exercise bool, p_limit int)
RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
	v_text text := search_text(p_text);
	v_limit int := least(greatest(coalesce(p_limit, 50), 1), 1000);
	v_exercise bool := coalesce(p_exercise, false);
	v_walk text;
	v_ids bigint[];
BEGIN
	-- The rows walked newest first: the city's, or the caller's district's
	-- (the expression of incident_search_district_newest, migration 076).
	v_walk := format('s.exercise = %L', v_exercise);
	IF nlevel(me.scope_path) > 1 THEN
		v_walk := v_walk || format(
			' AND subltree(s.region_path, 0, least(nlevel(s.region_path), 2)) = %L',
			subltree(me.scope_path, 0, 2));
	END IF;
	EXECUTE format($q$
		SELECT coalesce(array_agg(incident_id ORDER BY created_at DESC, incident_id DESC), '{}')
		FROM (SELECT w.incident_id, w.created_at
			FROM (SELECT s.incident_id, s.created_at, s.doc, s.region_path
				FROM incident_search s WHERE %s
				ORDER BY s.created_at DESC, s.incident_id DESC LIMIT %s) w
			WHERE w.region_path <@ %L AND strpos(w.doc, %L) > 0
			ORDER BY w.created_at DESC, w.incident_id DESC LIMIT %s) q
		$q$, v_walk, 100 * v_limit, me.scope_path, v_text, v_limit)
	INTO v_ids;
	IF cardinality(v_ids) = v_limit THEN
		RETURN v_ids;
	END IF;
	EXECUTE format($q$
		SELECT coalesce(array_agg(incident_id ORDER BY created_at DESC, incident_id DESC), '{}')
		FROM (SELECT s.incident_id, s.created_at FROM incident_search s
			WHERE %s AND s.region_path <@ %L AND s.grams @> %L
				AND strpos(s.doc, %L) > 0
			ORDER BY s.created_at DESC, s.incident_id DESC LIMIT %s) q
		$q$, v_walk, me.scope_path, search_query_grams(v_text), v_text, v_limit)
	INTO v_ids;
	RETURN v_ids;
END
$$;

-- Newest first. The rows themselves are read under row-level security
-- (SECURITY INVOKER): a district officer finds only the district's
-- incidents. The text is matched with strpos, not LIKE, so % and _ are
-- plain characters.
CREATE OR REPLACE FUNCTION cityops.search(p_text text, p_exercise bool DEFAULT false,
	p_limit int DEFAULT 50)
RETURNS TABLE (ref text, priority int, category_name text, region_name text, state text,
	created_at timestamptz, title text, location text, matched text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_text text;
BEGIN
	PERFORM caller();
	v_text := search_text(p_text);
	RETURN QUERY
	SELECT i.ref, i.priority, c.name, r.name, i.state, i.created_at, i.title, i.location,
		CASE WHEN strpos(lower(i.ref), v_text) > 0 THEN 'ref'
			WHEN strpos(lower(i.title), v_text) > 0 THEN 'title'
			WHEN strpos(lower(i.location), v_text) > 0 THEN 'location'
			WHEN strpos(lower(i.description), v_text) > 0 THEN 'description'
			ELSE 'note' END
	FROM unnest(search_ids(v_text, p_exercise, p_limit)) WITH ORDINALITY h(id, n)
	JOIN incident i ON i.id = h.id
	JOIN category c ON c.code = i.category_code
	JOIN region r ON r.code = i.region_code
	ORDER BY h.n;
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
