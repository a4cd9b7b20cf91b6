-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
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
GRANT USAGE ON TYPE cityops.caller TO cityops_user;

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

-- The caller, the role and scope checks and the row-level security policies
-- are defined once, in sql/functions/10_security.sql, since issue 13 (one
-- definition of every function; docs/sql-api.md). The file stays so that a
-- database that recorded it still finds the same list.
