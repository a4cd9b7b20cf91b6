-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 006_writes: the write API of docs/sql-api.md.
--
-- Every write is SECURITY DEFINER with a fixed search_path (pg_catalog is
-- searched first implicitly), runs as the owner and therefore bypasses
-- row-level security: each one checks, in this order, that the caller is an
-- operator (CO007), has the role (CO002), that the object exists (CO001)
-- and is in scope (CO003), that the transition is allowed (CO004), the
-- arguments (CO006), and for units whether they are free (CO005).
-- Nothing is changed unless every check passes.
GRANT USAGE ON TYPE cityops.caller TO cityops_user;


-- The write functions are defined once, in sql/functions/40_writes.sql,
-- since issue 13 (one definition of every function; docs/sql-api.md). The
-- file stays so that a database that recorded it still finds the same list.
