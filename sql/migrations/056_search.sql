-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 056_search: what `find` searches (issue 14).
--
-- One row per incident: its reference, title, location, description and
-- notes, lower-cased, in `doc`, and the distinct single characters and
-- character pairs of `doc` in `grams`. pg_trgm does not split Chinese text
-- in the C locale (no CJK character is alphanumeric there), so a substring
-- search is a GIN `grams @> <the pairs of the text>` (one character: that
-- character) and a recheck `strpos(doc, text) > 0`
-- (sql/functions/77_search.sql). Kept by triggers on incident and
-- incident_event there; read under row-level security by scope.
CREATE TABLE cityops.incident_search (
	incident_id bigint PRIMARY KEY REFERENCES cityops.incident,
	region_path ltree NOT NULL,       -- the incident's, for RLS
	exercise    boolean NOT NULL,
	created_at  timestamptz NOT NULL,
	doc         text NOT NULL,
	grams       text[] NOT NULL
);
CREATE INDEX incident_search_grams ON cityops.incident_search USING gin (grams);
CREATE INDEX incident_search_newest ON cityops.incident_search (exercise, created_at DESC);
ALTER TABLE cityops.incident_search ENABLE ROW LEVEL SECURITY;

-- Incidents that exist already (the same as cityops.search_refresh, which
-- does not exist yet while migrations run).
INSERT INTO cityops.incident_search (incident_id, region_path, exercise, created_at, doc, grams)
SELECT i.id, i.region_path, i.exercise, i.created_at, d.doc,
	ARRAY(SELECT DISTINCT substr(d.doc, n, k)
		FROM generate_series(1, char_length(d.doc)) n, (VALUES (1), (2)) v(k)
		WHERE n + k - 1 <= char_length(d.doc))
FROM cityops.incident i
CROSS JOIN LATERAL (SELECT lower(concat_ws(E'\n', i.ref, i.title, i.location, i.description,
	(SELECT string_agg(e.note, E'\n' ORDER BY e.id) FROM cityops.incident_event e
		WHERE e.incident_id = i.id AND e.action = 'note'))) AS doc) d;
