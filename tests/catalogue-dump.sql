-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- A text dump of what the SQL in sql/ makes of schema cityops: every
\set ON_ERROR_STOP on
-- function's definition, owner-independent grants and comment, views,
-- columns, constraints, indexes, policies, triggers (with their ENABLE
-- state), types, default privileges, schema and database grants, and a
-- digest of every table's rows without their timestamps. Two databases
-- migrated the same way dump the same text. Used by tests/headless/
-- migrate.sh; run with psql -qAtX -f.
\pset footer off
SELECT 'function ' || p.oid::regprocedure || E'\n' || pg_get_functiondef(p.oid)
	|| E'\nacl ' || coalesce(p.proacl::text, '-')
	|| E'\ncomment ' || coalesce(obj_description(p.oid, 'pg_proc'), '-')
FROM pg_proc p WHERE p.pronamespace = 'cityops'::regnamespace ORDER BY 1;
SELECT 'relation ' || c.relname || ' kind ' || c.relkind::text || ' acl ' || coalesce(c.relacl::text, '-')
	|| ' rls ' || c.relrowsecurity || '/' || c.relforcerowsecurity
	|| ' options ' || coalesce(c.reloptions::text, '-')
	|| ' comment ' || coalesce(obj_description(c.oid, 'pg_class'), '-')
	|| CASE WHEN c.relkind = 'v' THEN E'\n' || pg_get_viewdef(c.oid) ELSE '' END
FROM pg_class c WHERE c.relnamespace = 'cityops'::regnamespace ORDER BY 1;
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
	|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
	|| coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
	|| coalesce(' acl ' || a.attacl::text, '')
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = 'cityops'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1;
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'cityops'::regnamespace ORDER BY 1;
SELECT 'index ' || pg_get_indexdef(indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relnamespace = 'cityops'::regnamespace ORDER BY 1;
SELECT 'policy ' || polrelid::regclass || ' ' || polname || ' cmd ' || polcmd::text
	|| ' permissive ' || polpermissive
	|| ' to ' || ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END
		FROM unnest(polroles) r ORDER BY 1)::text
	|| ' using ' || coalesce(pg_get_expr(polqual, polrelid), '-')
	|| ' check ' || coalesce(pg_get_expr(polwithcheck, polrelid), '-')
FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
WHERE c.relnamespace = 'cityops'::regnamespace ORDER BY 1;
SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' enabled ' || tgenabled::text
	|| ' ' || pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'cityops'::regnamespace AND NOT t.tgisinternal ORDER BY 1;
SELECT 'type ' || t.typname || ' ' || t.typtype::text || ' acl ' || coalesce(t.typacl::text, '-')
FROM pg_type t WHERE t.typnamespace = 'cityops'::regnamespace AND t.typtype <> 'b'
	AND t.typname !~ '^_' ORDER BY 1;
SELECT 'default acl ' || defaclobjtype::text || ' ' || defaclacl::text
FROM pg_default_acl ORDER BY 1;
SELECT 'schema ' || nspname || ' acl ' || coalesce(nspacl::text, '-')
	|| ' comment ' || coalesce(obj_description(oid, 'pg_namespace'), '-')
FROM pg_namespace WHERE nspname IN ('cityops', 'public') ORDER BY 1;
SELECT 'database acl ' || coalesce(datacl::text, '-') FROM pg_database
WHERE datname = current_database();
SELECT 'extension ' || extname FROM pg_extension ORDER BY 1;
-- Rows, without the columns that hold the time of the run.
CREATE FUNCTION pg_temp.rows_digest(t regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_drop text[];
	v text;
BEGIN
	SELECT coalesce(array_agg(attname::text), '{}') INTO v_drop FROM pg_attribute
	WHERE attrelid = t AND attnum > 0 AND NOT attisdropped
		AND atttypid IN ('timestamptz'::regtype, 'xid8'::regtype);
	EXECUTE format('SELECT count(*) || '' '' || coalesce(md5(string_agg(r, E''\n'' ORDER BY r)), ''-'')
		FROM (SELECT (to_jsonb(x) - $1)::text AS r FROM %s x) s', t) INTO v USING v_drop;
	RETURN v;
END
$$;
SELECT 'rows ' || c.oid::regclass || ' ' || pg_temp.rows_digest(c.oid)
FROM pg_class c WHERE c.relnamespace = 'cityops'::regnamespace AND c.relkind = 'r' ORDER BY 1;
