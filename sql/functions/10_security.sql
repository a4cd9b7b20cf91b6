-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Who is calling and what they may do: the caller, role and scope checks,
-- the audit trail, argument checks, and row-level security (which rows of
-- each table an operator sees). docs/security.md tells the whole story;
-- migrations 004 and 014 say why each rule is there.

-- viewer 0 < officer 1 < supervisor 2 < admin 3. A SQL-standard body:
-- names bound at creation, and still inlined where it is called.
CREATE OR REPLACE FUNCTION cityops.role_rank(p_role text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.array_position(ARRAY['viewer', 'officer', 'supervisor', 'admin'], p_role) - 1;

-- The calling operator, or CO007.
CREATE OR REPLACE FUNCTION cityops.caller() RETURNS cityops.caller
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller;
BEGIN
	SELECT o.login, o.display_name, o.role, role_rank(o.role), r.code, r.name, r.path
		INTO me
		FROM operator o JOIN region r ON r.code = o.scope_code
		WHERE o.login = session_user;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CO007',
			MESSAGE = format('login %s is not a cityops operator', session_user),
			HINT = 'an admin registers operators in cityops.operator';
	END IF;
	RETURN me;
END
$$;

-- The caller's scope path for row-level security; NULL (sees nothing) for
-- a login that is not an operator. Policies call it as an InitPlan,
-- (SELECT cityops.scope_path()), so it runs once per query, not per row.
CREATE OR REPLACE FUNCTION cityops.scope_path() RETURNS ltree
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT r.path FROM operator o JOIN region r ON r.code = o.scope_code
	WHERE o.login = session_user
$$;

-- CO002 unless the caller has at least p_min_role.
CREATE OR REPLACE FUNCTION cityops.require_role(me cityops.caller, p_min_role text, p_what text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF me.rank < cityops.role_rank(p_min_role) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO002',
			MESSAGE = format('%s needs role %s; you are %s', p_what, p_min_role, me.role);
	END IF;
END
$$;

-- CO003 unless p_path lies in the caller's scope. p_what names the object
-- ("incident 261121-0003", "unit HP-F01"; NULL when the object is the
-- region itself), p_region_code where it is.
CREATE OR REPLACE FUNCTION cityops.require_scope(me cityops.caller, p_path ltree, p_what text,
	p_region_code text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF NOT p_path <@ me.scope_path THEN
		RAISE EXCEPTION USING ERRCODE = 'CO003',
			MESSAGE = CASE WHEN p_what IS NULL
				THEN format('%s is outside your scope %s',
					(SELECT name FROM region WHERE code = p_region_code), me.scope_name)
				ELSE format('%s is in %s, outside your scope %s', p_what,
					(SELECT name FROM region WHERE code = p_region_code), me.scope_name) END;
	END IF;
END
$$;

-- Appends to the audit trail as the caller.
CREATE OR REPLACE FUNCTION cityops.audit_log(p_action text, p_object text, p_detail jsonb)
RETURNS void
LANGUAGE sql
SET search_path = cityops, public, pg_temp
AS $$
	INSERT INTO cityops.audit (actor, action, object, detail)
		VALUES (session_user, p_action, p_object, coalesce(p_detail, '{}'))
$$;

-- CO006 unless p_value is NULL or one of p_allowed; p_what names it.
CREATE OR REPLACE FUNCTION cityops.check_one_of(p_what text, p_value text, p_allowed text[])
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF p_value IS NOT NULL AND NOT p_value = ANY (p_allowed) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('unknown %s %s', p_what, p_value),
			HINT = format('one of: %s', array_to_string(p_allowed, ', '));
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION cityops.check_priority(p_priority int) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF p_priority IS NOT NULL AND p_priority NOT BETWEEN 1 AND 4 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'priority must be 1 to 4',
			HINT = '1 is the most urgent';
	END IF;
END
$$;

-- ------------------------------------------------------------------------
-- Text lengths, in characters (migration 014, 5).

-- CO006 when p_value is longer than p_max characters; p_what names it.
CREATE OR REPLACE FUNCTION cityops.check_length(p_what text, p_value text, p_max int) RETURNS void
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

CREATE OR REPLACE FUNCTION cityops.require_text(p_value text, p_message text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF coalesce(btrim(p_value), '') = '' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = p_message;
	END IF;
	RETURN btrim(p_value);
END
$$;

-- ------------------------------------------------------------------------
-- Row-level security: a row is visible when its region lies in the
-- caller's scope. The owner (the installing superuser) bypasses RLS, which
-- is why every SECURITY DEFINER write checks scope itself.
ALTER TABLE cityops.incident ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.incident_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.unit ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.indicator ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.alarm ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.reading ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.audit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS in_scope ON cityops.incident;
CREATE POLICY in_scope ON cityops.incident FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
DROP POLICY IF EXISTS in_scope ON cityops.incident_event;
CREATE POLICY in_scope ON cityops.incident_event FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
DROP POLICY IF EXISTS in_scope ON cityops.assignment;
CREATE POLICY in_scope ON cityops.assignment FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
DROP POLICY IF EXISTS in_scope ON cityops.unit;
CREATE POLICY in_scope ON cityops.unit FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
DROP POLICY IF EXISTS in_scope ON cityops.indicator;
CREATE POLICY in_scope ON cityops.indicator FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
DROP POLICY IF EXISTS in_scope ON cityops.alarm;
CREATE POLICY in_scope ON cityops.alarm FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
-- Sensors (issue 12): an operator sees those in scope; their readings
-- are read through ingest's functions only.
DROP POLICY IF EXISTS in_scope ON cityops.sensor;
CREATE POLICY in_scope ON cityops.sensor FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
-- Readings follow their indicator (whose own policy applies inside).
DROP POLICY IF EXISTS in_scope ON cityops.reading;
CREATE POLICY in_scope ON cityops.reading FOR SELECT TO cityops_user
	USING (EXISTS (SELECT 1 FROM cityops.indicator i WHERE i.id = indicator_id));
-- The audit trail is for supervisors and admins, and everyone sees their
-- own rows.
DROP POLICY IF EXISTS own_or_supervisor ON cityops.audit;
CREATE POLICY own_or_supervisor ON cityops.audit FOR SELECT TO cityops_user
	USING (actor = session_user
		OR (SELECT cityops.role_rank(role) >= 2 FROM cityops.operator WHERE login = session_user));

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
