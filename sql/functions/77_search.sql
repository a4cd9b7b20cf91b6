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

-- Newest first. Under row-level security (SECURITY INVOKER): a district
-- officer finds only the district's incidents. The text is matched with
-- strpos, not LIKE, so % and _ are plain characters.
CREATE OR REPLACE FUNCTION cityops.search(p_text text, p_exercise bool DEFAULT false,
	p_limit int DEFAULT 50)
RETURNS TABLE (ref text, priority int, category_name text, region_name text, state text,
	created_at timestamptz, title text, location text, matched text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_text text;
	v_limit int := least(greatest(coalesce(p_limit, 50), 1), 1000);
BEGIN
	PERFORM caller();
	v_text := search_text(p_text);
	RETURN QUERY
	WITH hit AS (
		SELECT s.incident_id, s.created_at FROM incident_search s
		WHERE s.grams @> search_query_grams(v_text) AND strpos(s.doc, v_text) > 0
			AND s.exercise = coalesce(p_exercise, false)
		ORDER BY s.created_at DESC, s.incident_id DESC
		LIMIT v_limit)
	SELECT i.ref, i.priority, c.name, r.name, i.state, i.created_at, i.title, i.location,
		CASE WHEN strpos(lower(i.ref), v_text) > 0 THEN 'ref'
			WHEN strpos(lower(i.title), v_text) > 0 THEN 'title'
			WHEN strpos(lower(i.location), v_text) > 0 THEN 'location'
			WHEN strpos(lower(i.description), v_text) > 0 THEN 'description'
			ELSE 'note' END
	FROM hit h JOIN incident i ON i.id = h.incident_id
	JOIN category c ON c.code = i.category_code
	JOIN region r ON r.code = i.region_code
	ORDER BY h.created_at DESC, h.incident_id DESC;
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
