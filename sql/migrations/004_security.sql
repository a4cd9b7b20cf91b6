-- 004_security: who the caller is, what they may see, what they may touch.
--
-- The caller is session_user (not current_user, which is the owner inside a
-- SECURITY DEFINER function). Operators read tables under row-level
-- security limited to their scope's subtree and write nothing directly.

CREATE TYPE cityops.caller AS (
	login        name,
	display_name text,
	role         text,
	rank         int,       -- viewer 0 < officer 1 < supervisor 2 < admin 3
	scope_code   text,
	scope_name   text,
	scope_path   ltree
);

CREATE FUNCTION cityops.role_rank(p_role text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT array_position(ARRAY['viewer', 'officer', 'supervisor', 'admin'], p_role) - 1
$$;

-- The calling operator, or CO007.
CREATE FUNCTION cityops.caller() RETURNS cityops.caller
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
CREATE FUNCTION cityops.scope_path() RETURNS ltree
LANGUAGE sql STABLE SET search_path = cityops, public
AS $$
	SELECT r.path FROM operator o JOIN region r ON r.code = o.scope_code
	WHERE o.login = session_user
$$;

-- CO002 unless the caller has at least p_min_role.
CREATE FUNCTION cityops.require_role(me cityops.caller, p_min_role text, p_what text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
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
CREATE FUNCTION cityops.require_scope(me cityops.caller, p_path ltree, p_what text,
	p_region_code text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = cityops, public
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
CREATE FUNCTION cityops.audit_log(p_action text, p_object text, p_detail jsonb)
RETURNS void
LANGUAGE sql
AS $$
	INSERT INTO cityops.audit (actor, action, object, detail)
		VALUES (session_user, p_action, p_object, coalesce(p_detail, '{}'))
$$;

-- ------------------------------------------------------------------------
-- Privileges. Nothing for PUBLIC; cityops_user reads (under RLS) and
-- executes; nobody but the owner writes tables.
GRANT USAGE ON SCHEMA cityops TO cityops_user;
REVOKE ALL ON ALL TABLES IN SCHEMA cityops FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA cityops FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA cityops TO cityops_user;
ALTER DEFAULT PRIVILEGES IN SCHEMA cityops REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA cityops GRANT SELECT ON TABLES TO cityops_user;
ALTER DEFAULT PRIVILEGES IN SCHEMA cityops REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA cityops GRANT EXECUTE ON FUNCTIONS TO cityops_user;
ALTER DEFAULT PRIVILEGES IN SCHEMA cityops REVOKE USAGE ON TYPES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA cityops GRANT USAGE ON TYPES TO cityops_user;

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

CREATE POLICY in_scope ON cityops.incident FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
CREATE POLICY in_scope ON cityops.incident_event FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
CREATE POLICY in_scope ON cityops.assignment FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
CREATE POLICY in_scope ON cityops.unit FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
CREATE POLICY in_scope ON cityops.indicator FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
CREATE POLICY in_scope ON cityops.alarm FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
-- Readings follow their indicator (whose own policy applies inside).
CREATE POLICY in_scope ON cityops.reading FOR SELECT TO cityops_user
	USING (EXISTS (SELECT 1 FROM cityops.indicator i WHERE i.id = indicator_id));
-- The audit trail is for supervisors and admins, and everyone sees their
-- own rows.
CREATE POLICY own_or_supervisor ON cityops.audit FOR SELECT TO cityops_user
	USING (actor = session_user
		OR (SELECT cityops.role_rank(role) >= 2 FROM cityops.operator WHERE login = session_user));
