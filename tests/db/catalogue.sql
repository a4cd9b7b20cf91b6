-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 8, defect 1 (migration 014): the catalogue keeps the whole class
-- closed. Any function in schema cityops without a safe search path, any
-- SECURITY DEFINER function without a role or scope check, any policy
-- calling an unsafe function, any scoped table without a scope policy,
-- any table open to every operator that nobody reviewed, and any direct
-- write grant fails here — including those added by later migrations.
-- docs/security.md points here.
BEGIN;
SELECT plan(8);

-- A function is safe from the caller's search path when it pins its own
-- with pg_temp last, or has a SQL-standard body (names bound at CREATE).
CREATE FUNCTION pg_temp.path_safe(p oid) RETURNS bool LANGUAGE sql AS $$
	SELECT prosqlbody IS NOT NULL OR EXISTS (SELECT 1 FROM unnest(proconfig) c
		WHERE c ~ '^search_path=' AND c ~ ',\s*pg_temp\s*$')
	FROM pg_proc WHERE oid = p
$$;

SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.pronamespace = 'cityops'::regnamespace AND NOT pg_temp.path_safe(p.oid)
		ORDER BY 1),
	'{}'::text[],
	'catalogue: every cityops function pins search_path with pg_temp last or has a SQL-standard body');

SELECT is(ARRAY(SELECT DISTINCT d.refobjid::regprocedure::text
		FROM pg_policy pol JOIN pg_depend d ON d.classid = 'pg_policy'::regclass
			AND d.objid = pol.oid AND d.refclassid = 'pg_proc'::regclass
		JOIN pg_class c ON c.oid = pol.polrelid
		WHERE c.relnamespace = 'cityops'::regnamespace AND NOT pg_temp.path_safe(d.refobjid)
		ORDER BY 1),
	'{}'::text[],
	'catalogue: every function a row-level security policy calls has a safe search path');

-- SECURITY DEFINER runs as the owner, past row-level security: the body
-- must find the caller (caller() or scope_path()) and check role or scope.
-- Reviewed exceptions, each with its reason:
CREATE TEMP TABLE definer_reviewed (name text PRIMARY KEY, reason text NOT NULL);
INSERT INTO definer_reviewed VALUES
	('feed_incident', 'raises through incident_raise, which checks the caller''s role and scope '
		'first; it only places a new incident''s coordinates after that'),
	('relay_token_issue', 'every operator may have a relay token: caller() refuses a login that '
		'is not an operator, and the token is worth exactly the caller''s own scope (issue 12)');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.pronamespace = 'cityops'::regnamespace AND p.prosecdef
			AND NOT (p.prosrc ~ '\m(caller|scope_path)\(\)'
				AND p.prosrc ~ '\m(require_role|require_scope)\(|scope_path')
			AND p.proname NOT IN (SELECT name FROM definer_reviewed)
		ORDER BY 1),
	'{}'::text[],
	'catalogue: every SECURITY DEFINER function checks the caller''s role or scope');

SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.pronamespace = 'cityops'::regnamespace
			AND has_function_privilege('public', p.oid, 'EXECUTE')
		ORDER BY 1),
	'{}'::text[], 'catalogue: no cityops function is executable by PUBLIC');

-- Every table whose rows live in a region is under row-level security
-- with a policy that limits it to scope_path().
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'region_path'
		WHERE c.relnamespace = 'cityops'::regnamespace AND c.relkind = 'r'
			AND NOT (c.relrowsecurity AND EXISTS (
				SELECT 1 FROM pg_policy pol JOIN pg_depend d
					ON d.classid = 'pg_policy'::regclass AND d.objid = pol.oid
				WHERE pol.polrelid = c.oid AND d.refobjid = 'cityops.scope_path()'::regprocedure))
		ORDER BY 1),
	'{}'::text[], 'catalogue: every scoped table has a policy on scope_path()');

-- Tables without row-level security are visible whole to every operator:
-- the reviewed list, each for a reason.
CREATE TEMP TABLE open_reviewed (name text PRIMARY KEY, reason text NOT NULL);
INSERT INTO open_reviewed VALUES
	('region', 'the map: names resolve and breadcrumbs draw for everyone'),
	('department', 'reference'), ('unit_kind', 'reference'), ('category', 'reference'),
	('sla_policy', 'reference'), ('state', 'reference'), ('action', 'reference'),
	('transition', 'reference'), ('indicator_category', 'reference'),
	('operator', 'who is on duty is shown to colleagues; no secrets are kept here'),
	('ref_counter', 'per-day counters; reveals only how many incidents a day'),
	('mode', 'the city''s peace/emergency mode is city-wide'),
	('entity_map', 'feed configuration, no scoped data'),
	('drill_run', 'drill runs and reports (see docs/security.md, open findings)'),
	('clock_grant', 'seeding transactions; owner-written, holds no data'),
	('unit_of_measure', 'reference: UN/CEFACT unit codes (issue 10)'),
	('uom_symbol', 'reference: unit symbols to codes (issue 10)'),
	('source_category', 'reference: sources'' categories to ours (issue 10)'),
	('reading_inbox', 'COPY target: no operator reads it; cityops_ingest may only insert (issue 12)'),
	('sensor_inbox', 'COPY target: no operator reads it; cityops_ingest may only insert (issue 12, sensors)'),
	('escalation_policy', 'reference: escalation steps per category and priority (issue 14)'),
	('mode_policy', 'reference: what each emergency kind and level changes (issue 14)'),
	('drill_mode', 'drills'' own modes, city-wide like mode; written only by mode_set (issue 14)');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
		WHERE c.relnamespace = 'cityops'::regnamespace AND c.relkind IN ('r', 'p')
			AND NOT c.relrowsecurity AND c.relname NOT IN (SELECT name FROM open_reviewed)
		ORDER BY 1),
	'{}'::text[], 'catalogue: every table without row-level security is on the reviewed list');

SELECT is(ARRAY(SELECT format('%s %s', c.relname, p.priv) FROM pg_class c
		CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(priv)
		WHERE c.relnamespace = 'cityops'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
			AND (has_table_privilege('cityops_user', c.oid, p.priv)
				OR has_table_privilege('public', c.oid, p.priv))
		ORDER BY 1),
	'{}'::text[], 'catalogue: operators write no table directly');

SELECT ok(NOT has_schema_privilege('cityops_user', 'cityops', 'CREATE')
	AND NOT has_schema_privilege('cityops_user', 'public', 'CREATE'),
	'catalogue: operators create nothing in schema cityops or public');

SELECT * FROM finish();
ROLLBACK;
