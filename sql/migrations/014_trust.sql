-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 014_trust: the database side of issue 8 — what a hostile login can reach.
--
--  1. Search path. PostgreSQL searches the session's temporary schema
--     FIRST for tables and types unless pg_temp is named in search_path,
--     so a search path naming only cityops and public let any login shadow
--     cityops.operator with a temp table and become admin at city scope.
--     Every function in the schema now pins search_path with pg_temp last,
--     or has a SQL-standard body (RETURN … / BEGIN ATOMIC … END), whose
--     names are bound once, when it is created, so that no caller's path
--     can redirect them; those stay inlinable, which matters for the small
--     per-row helpers (now, indicator_state …). tests/db/trust.sql walks
--     pg_proc and fails for any function added later without one or the
--     other. And no operator can create a temporary table at all:
--     TEMPORARY on the database is revoked from PUBLIC, so it holds for
--     logins created later too (cityops db migrate re-asserts it on every
--     run, because CREATE DATABASE … TEMPLATE does not copy database
--     privileges).
--  2. The clock. cityops.now() honours cityops.clock_offset only in a
--     fenced drill session (cityops.drill set; migration 008 lets such a
--     session change exercise data only) or inside a seeding transaction
--     the owner opened (cityops.clock_grant, which only the owner can
--     write). Every other session gets the server's time whatever it sets.
--     Triggers keep real rows honest besides: a real timeline, audit,
--     mode or incident row carries pg_catalog.now() unless it is written
--     in a seeding transaction.
--  3. unit_card(int) answers only for units in the caller's scope or on an
--     incident in it.
--  4. An incident or unit outside the caller's scope is answered exactly
--     as a missing one (CO001, "no incident X" / "no unit X"): the error no
--     longer says that it exists or where. A busy unit's holder is named
--     only when that incident is in scope; a dedup key never merges a
--     report into an incident outside the caller's scope.
--  5. Text lengths, in characters: incident title and location ≤ 200,
--     description ≤ 4000, every note or reason ≤ 2000 (CO006, "title is
--     too long: 1201 characters, at most 200").
--
-- The clock (cityops.now() and what it calls, clock_grant) is in
-- 001_schema.sql, because column defaults use it; the functions this
-- migration rewrote are in sql/functions/ (10_security.sql, 20_records.sql,
-- 30_reads.sql, 40_writes.sql, 50_feeds.sql, 60_drills.sql), each with its
-- search path, and every file there ends by revoking EXECUTE from PUBLIC.
-- What stays here is what is not a function.

-- Backstops for writers that forget (the functions check first, with the
-- message above). Notes stay unconstrained in the table: an escalation
-- row prefixes its note with "escalation 1 → 2; ".
ALTER TABLE cityops.incident
	ADD CONSTRAINT incident_title_length CHECK (char_length(title) <= 200),
	ADD CONSTRAINT incident_location_length CHECK (char_length(location) <= 200),
	ADD CONSTRAINT incident_description_length CHECK (char_length(description) <= 4000);
ALTER TABLE cityops.mode
	ADD CONSTRAINT mode_reason_length CHECK (char_length(reason) <= 2000),
	ADD CONSTRAINT mode_kind_length CHECK (char_length(kind) <= 200);

-- ------------------------------------------------------------------------
-- 3. unit_card (sql/functions/30_reads.sql) looks up assignments by unit.
CREATE INDEX assignment_unit ON cityops.assignment (unit_id);

-- ------------------------------------------------------------------------
-- 1. No temporary objects for operators, present or future: TEMPORARY is
-- revoked from PUBLIC (every login) rather than from each operator, so a
-- login an admin adds tomorrow has none either. Superusers (migrations,
-- the demo seed, pgTAP) keep it; nothing else here needs it. CREATE on
-- schema public is PostgreSQL 15's default; asserted for clusters that
-- were upgraded with the old one.
DO $$
BEGIN
	EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
	EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM cityops_user', current_database());
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
