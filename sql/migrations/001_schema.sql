-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 001_schema: the tables of the system of record.
--
-- Everything lives in schema cityops. Tables are owned by the migrating
-- superuser; clients reach them only through the functions in
-- sql/functions/ (see docs/sql-api.md). Column comments are kept short; the
-- contract document is the longer story.
--
-- Functions, views, policies and triggers are not defined in numbered
-- migrations but once each in sql/functions/, which `cityops db migrate`
-- applies after the migrations whenever a file's content changed. The one
-- exception is the clock below.

CREATE EXTENSION IF NOT EXISTS ltree;

-- Roles are cluster-wide and shared by every database on the cluster, so a
-- second install (or a test template) must tolerate the group role existing.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_user') THEN
		CREATE ROLE cityops_user NOLOGIN;
	END IF;
END
$$;

CREATE SCHEMA cityops;
REVOKE ALL ON SCHEMA cityops FROM PUBLIC;
COMMENT ON SCHEMA cityops IS '一网统管 city operations: the system of record';

-- ------------------------------------------------------------------------
-- The clock. It lives here, not in sql/functions/, because column defaults
-- below call cityops.now() and a default binds to the function when the
-- table is created; now() in turn binds its SQL-standard body to
-- clock_offset(), and that to drill_session(), clock_seeding() and
-- clock_grant. This is their one definition; change them in a new
-- numbered migration (CREATE OR REPLACE keeps the defaults bound).
-- Migration 014 (docs/security.md) says why the clock is fenced.

-- Seeding transactions that may set the clock back (sql/seed/demo.sql
-- plays its history through the API at past times). Only the owner writes
-- here; a row names one transaction, so it grants nothing to anyone else
-- even if it were left behind.
CREATE TABLE cityops.clock_grant (
	xid        xid8 PRIMARY KEY,
	granted_by name NOT NULL DEFAULT current_user,
	granted_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE cityops.clock_grant IS
	'transactions (the demo seed) whose cityops.clock_offset is honoured; owner-only';
REVOKE ALL ON cityops.clock_grant FROM PUBLIC;
GRANT SELECT ON cityops.clock_grant TO cityops_user;

-- The run a fenced drill session belongs to (the session setting
-- cityops.drill, migration 008), or NULL for an ordinary session.
CREATE FUNCTION cityops.drill_session() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(pg_catalog.current_setting('cityops.drill', true), '')::bigint;

-- True inside a seeding transaction the owner opened.
CREATE FUNCTION cityops.clock_seeding() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = cityops, public, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM clock_grant WHERE xid = pg_current_xact_id_if_assigned())
$$;

-- The offset this session's clock may have: its cityops.clock_offset in a
-- fenced drill session or a seeding transaction, else none.
CREATE FUNCTION cityops.clock_offset() RETURNS interval
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = cityops, public, pg_temp
AS $$
	SELECT CASE WHEN drill_session() IS NOT NULL OR clock_seeding()
		THEN coalesce(nullif(current_setting('cityops.clock_offset', true), '')::interval,
			interval '0')
		ELSE interval '0' END
$$;

-- The one clock: every function reads the time through it. Inlined into
-- the queries that call it; a session that set no offset never reaches
-- clock_offset().
CREATE FUNCTION cityops.now() RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.now() + CASE
	WHEN coalesce(pg_catalog.current_setting('cityops.clock_offset', true), '') = ''
		THEN interval '0'
	ELSE cityops.clock_offset() END;

REVOKE EXECUTE ON FUNCTION cityops.drill_session(), cityops.clock_seeding(),
	cityops.clock_offset(), cityops.now() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.drill_session(), cityops.clock_seeding(),
	cityops.clock_offset(), cityops.now() TO cityops_user;

-- ------------------------------------------------------------------------
-- Regions: city → district → street/town → grid → community.
-- path is an ltree of codes (ltree labels cannot hold '-', so grid codes
-- such as 310120101-01 become 310120101_01); it is derived by a trigger from
-- the parent (region_derive, sql/functions/20_records.sql), so inserts name
-- only the parent.
CREATE TABLE cityops.region (
	code        text PRIMARY KEY,
	parent_code text REFERENCES cityops.region,
	name        text NOT NULL,
	short_name  text NOT NULL,          -- name without its suffix: 奉贤, 南桥
	abbr        text UNIQUE,            -- district call-sign prefix: FX, HP
	level       text NOT NULL CHECK (level IN ('city', 'district', 'street', 'grid', 'community')),
	path        ltree NOT NULL UNIQUE,
	lat         numeric(9, 6),
	lon         numeric(9, 6),
	CHECK ((parent_code IS NULL) = (level = 'city'))
);
CREATE INDEX region_path_gist ON cityops.region USING gist (path);
CREATE INDEX region_parent ON cityops.region (parent_code);
CREATE INDEX region_name ON cityops.region (name);
CREATE INDEX region_short_name ON cityops.region (short_name);

CREATE TABLE cityops.department (
	code text PRIMARY KEY,
	name text NOT NULL UNIQUE
);

-- Kinds of response unit; the letter is the kind part of a call sign.
CREATE TABLE cityops.unit_kind (
	code    char(1) PRIMARY KEY,
	name    text NOT NULL UNIQUE,       -- fire, police …
	name_zh text NOT NULL UNIQUE
);

-- Incident categories and the unit kinds suited to them (for recommend).
CREATE TABLE cityops.category (
	code       text PRIMARY KEY,
	name       text NOT NULL UNIQUE,
	unit_kinds char(1)[] NOT NULL DEFAULT '{}'
);

-- SLA per category and priority; category '*' is the fallback row.
CREATE TABLE cityops.sla_policy (
	category_code text NOT NULL,
	priority      int NOT NULL CHECK (priority BETWEEN 1 AND 4),
	ack           interval NOT NULL,
	dispatch      interval NOT NULL,
	arrive        interval NOT NULL,
	close         interval NOT NULL,
	PRIMARY KEY (category_code, priority),
	CHECK (ack <= dispatch AND dispatch <= arrive AND arrive <= close)
);

-- ------------------------------------------------------------------------
-- The incident loop as data: states, actions and the transitions between
-- them. incident_act (006_writes) is driven entirely by these tables.
CREATE TABLE cityops.state (
	name      text PRIMARY KEY,
	ord       int NOT NULL UNIQUE,
	is_open   boolean NOT NULL,
	sla_stage text CHECK (sla_stage IN ('ack', 'dispatch', 'arrive', 'close')),
	label_zh  text NOT NULL
);

CREATE TABLE cityops.action (
	name            text PRIMARY KEY,
	ord             int NOT NULL UNIQUE,
	min_role        text NOT NULL CHECK (min_role IN ('viewer', 'officer', 'supervisor', 'admin')),
	reason_required boolean NOT NULL DEFAULT false,  -- p_note must be given
	units_required  boolean NOT NULL DEFAULT false,  -- p_units must be given
	-- what happens to the incident's active units:
	--   assign: the named units are assigned (status dispatched)
	--   en_route / on_scene: active units take that status
	--   release: active assignments end, units become available
	unit_effect     text CHECK (unit_effect IN ('assign', 'en_route', 'on_scene', 'release')),
	label_zh        text NOT NULL
);

-- to_state NULL: the action leaves the state unchanged (note, escalate,
-- adding units to a running dispatch).
CREATE TABLE cityops.transition (
	action     text NOT NULL REFERENCES cityops.action,
	from_state text NOT NULL REFERENCES cityops.state,
	to_state   text REFERENCES cityops.state,
	PRIMARY KEY (action, from_state)
);
CREATE INDEX transition_from ON cityops.transition (from_state);

-- ------------------------------------------------------------------------
-- Operators: PostgreSQL login roles with a cityops role and scope.
CREATE TABLE cityops.operator (
	login        name PRIMARY KEY,
	display_name text NOT NULL,
	role         text NOT NULL CHECK (role IN ('viewer', 'officer', 'supervisor', 'admin')),
	scope_code   text NOT NULL REFERENCES cityops.region,
	created_at   timestamptz NOT NULL DEFAULT cityops.now()
);

-- ------------------------------------------------------------------------
-- Units. region_path is the home region's path, copied for cheap RLS.
CREATE TABLE cityops.unit (
	id              serial PRIMARY KEY,
	callsign        text NOT NULL CHECK (callsign = upper(callsign)),
	name            text NOT NULL,
	kind            char(1) NOT NULL REFERENCES cityops.unit_kind,
	department_code text NOT NULL REFERENCES cityops.department,
	region_code     text NOT NULL REFERENCES cityops.region,
	region_path     ltree NOT NULL,
	lat             numeric(9, 6),
	lon             numeric(9, 6),
	status          text NOT NULL DEFAULT 'available' CHECK (status IN
		('available', 'dispatched', 'en_route', 'on_scene', 'returning', 'out_of_service')),
	updated_at      timestamptz NOT NULL DEFAULT cityops.now()
);
CREATE UNIQUE INDEX unit_callsign ON cityops.unit (callsign);
CREATE INDEX unit_region_path ON cityops.unit USING gist (region_path);
CREATE INDEX unit_available ON cityops.unit (kind) WHERE status = 'available';

-- ------------------------------------------------------------------------
-- Incidents (一件事).
CREATE TABLE cityops.incident (
	id            bigserial PRIMARY KEY,
	ref           text NOT NULL UNIQUE CHECK (ref ~ '^[0-9]{6}-[0-9]{4,}$'),
	priority      int NOT NULL CHECK (priority BETWEEN 1 AND 4),
	category_code text NOT NULL REFERENCES cityops.category,
	title         text NOT NULL CHECK (title <> ''),
	description   text NOT NULL DEFAULT '',
	source        text NOT NULL CHECK (source IN
		('12345', '110', '119', '120', 'sensor', 'patrol', 'opinion', 'officer')),
	region_code   text NOT NULL REFERENCES cityops.region,
	region_path   ltree NOT NULL,
	location      text NOT NULL DEFAULT '',
	lat           numeric(9, 6),
	lon           numeric(9, 6),
	state         text NOT NULL DEFAULT 'new' REFERENCES cityops.state,
	is_open       boolean NOT NULL DEFAULT true,   -- kept equal to state.is_open by trigger
	escalation    int NOT NULL DEFAULT 0 CHECK (escalation BETWEEN 0 AND 3),
	dedup_key     text,
	exercise      boolean NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL DEFAULT cityops.now(),
	created_by    name NOT NULL,
	updated_at    timestamptz NOT NULL DEFAULT cityops.now(),
	-- absolute SLA deadlines, fixed at raise (and renewed at reopen)
	ack_due       timestamptz NOT NULL,
	dispatch_due  timestamptz NOT NULL,
	arrive_due    timestamptz NOT NULL,
	close_due     timestamptz NOT NULL,
	-- the next pending deadline for the current state, kept by trigger so
	-- the queue can sort without recomputing it per row
	sla_stage     text,
	sla_due       timestamptz
);
-- The queue reads open incidents only; at 1 M incidents / 10 k open these
-- partial indexes keep it off the closed history.
CREATE INDEX incident_open_queue ON cityops.incident (exercise, priority, sla_due) WHERE is_open;
CREATE INDEX incident_open_region ON cityops.incident USING gist (region_path) WHERE is_open AND NOT exercise;
CREATE INDEX incident_region_path ON cityops.incident USING gist (region_path);
CREATE INDEX incident_created_at ON cityops.incident (created_at);
-- One open incident per dedup key (drills kept apart from real reports).
CREATE UNIQUE INDEX incident_open_dedup ON cityops.incident (exercise, dedup_key)
	WHERE is_open AND dedup_key IS NOT NULL;

-- Per-day ref numbering (YYMMDD-NNNN, Shanghai calendar day).
CREATE TABLE cityops.ref_counter (
	day  date PRIMARY KEY,
	last int NOT NULL
);

-- The timeline: append-only (see 003_triggers).
CREATE TABLE cityops.incident_event (
	id          bigserial PRIMARY KEY,
	incident_id bigint NOT NULL REFERENCES cityops.incident,
	region_path ltree NOT NULL,          -- the incident's, for RLS
	at          timestamptz NOT NULL DEFAULT cityops.now(),
	actor       name NOT NULL,
	action      text NOT NULL,           -- an action name, or raise / merge
	from_state  text REFERENCES cityops.state,
	to_state    text REFERENCES cityops.state,
	unit        text,                    -- call sign, when the row is about one unit
	note        text
);
CREATE INDEX incident_event_incident ON cityops.incident_event (incident_id, at, id);
CREATE INDEX incident_event_region_path ON cityops.incident_event USING gist (region_path);

-- Which unit is on which incident. The partial unique index is THE guarantee
-- that a unit is on at most one active incident, whatever the clients do.
CREATE TABLE cityops.assignment (
	id          bigserial PRIMARY KEY,
	incident_id bigint NOT NULL REFERENCES cityops.incident,
	unit_id     int NOT NULL REFERENCES cityops.unit,
	region_path ltree NOT NULL,          -- the incident's, for RLS
	assigned_at timestamptz NOT NULL DEFAULT cityops.now(),
	assigned_by name NOT NULL,
	released_at timestamptz,
	released_by name,
	CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE UNIQUE INDEX assignment_unit_active ON cityops.assignment (unit_id) WHERE released_at IS NULL;
CREATE INDEX assignment_incident ON cityops.assignment (incident_id);
CREATE INDEX assignment_region_path ON cityops.assignment USING gist (region_path);

-- ------------------------------------------------------------------------
-- Vital signs (城市运行生命体征).
CREATE TABLE cityops.indicator_category (
	code text PRIMARY KEY,
	name text NOT NULL UNIQUE,
	ord  int NOT NULL UNIQUE
);

-- last_state is the threshold state of the last value (normal|warn|alarm);
-- stale and nodata are judged at read time from last_at and stale_s.
CREATE TABLE cityops.indicator (
	id              text PRIMARY KEY CHECK (id ~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$'),
	category_code   text NOT NULL REFERENCES cityops.indicator_category,
	name            text NOT NULL,
	uom             text NOT NULL,          -- unit of measure: mm, μg/m³, 人 …
	region_code     text NOT NULL REFERENCES cityops.region,
	region_path     ltree NOT NULL,
	side            text NOT NULL CHECK (side IN ('high', 'low')),
	warn            numeric NOT NULL,
	alarm           numeric NOT NULL,
	hysteresis      numeric NOT NULL DEFAULT 0 CHECK (hysteresis >= 0),
	department_code text REFERENCES cityops.department,
	stale_s         int NOT NULL CHECK (stale_s > 0),
	last_value      numeric,
	last_at         timestamptz,
	last_state      text CHECK (last_state IN ('normal', 'warn', 'alarm')),
	CHECK (CASE side WHEN 'high' THEN warn <= alarm ELSE warn >= alarm END)
);
CREATE INDEX indicator_region_path ON cityops.indicator USING gist (region_path);
CREATE INDEX indicator_by_category ON cityops.indicator (category_code);

-- Readings: the primary key serves the 24 h history lookup
-- (indicator_id = $1 AND at >= $2 ORDER BY at).
CREATE TABLE cityops.reading (
	indicator_id text NOT NULL REFERENCES cityops.indicator,
	at           timestamptz NOT NULL,
	value        numeric NOT NULL,
	PRIMARY KEY (indicator_id, at)
);

CREATE TABLE cityops.alarm (
	id              bigserial PRIMARY KEY,
	indicator_id    text NOT NULL REFERENCES cityops.indicator,
	region_path     ltree NOT NULL,
	level           text NOT NULL CHECK (level IN ('warn', 'alarm')),
	state           text NOT NULL DEFAULT 'raised' CHECK (state IN ('raised', 'acknowledged', 'cleared')),
	value           numeric NOT NULL,
	raised_at       timestamptz NOT NULL,
	acknowledged_at timestamptz,
	acknowledged_by name,
	cleared_at      timestamptz
);
-- At most one alarm per indicator is not cleared.
CREATE UNIQUE INDEX alarm_open ON cityops.alarm (indicator_id) WHERE state <> 'cleared';
CREATE INDEX alarm_region_path ON cityops.alarm USING gist (region_path);

-- ------------------------------------------------------------------------
-- Peace/emergency mode (平战结合): append-only history, the latest row is
-- the current mode.
CREATE TABLE cityops.mode (
	id     bigserial PRIMARY KEY,
	mode   text NOT NULL CHECK (mode IN ('peace', 'emergency')),
	level  text CHECK (level IN ('I', 'II', 'III', 'IV')),
	kind   text,
	reason text NOT NULL,
	set_by name NOT NULL,
	set_at timestamptz NOT NULL DEFAULT cityops.now(),
	CHECK ((mode = 'peace') = (level IS NULL)),
	CHECK (mode = 'peace' OR kind IS NOT NULL)
);

-- Audit of every write through the API: append-only (see 003_triggers).
CREATE TABLE cityops.audit (
	id     bigserial PRIMARY KEY,
	at     timestamptz NOT NULL DEFAULT cityops.now(),
	actor  name NOT NULL,
	action text NOT NULL,      -- incident.raise, incident.dispatch, unit.status, mode.set …
	object text,               -- ref, call sign …
	detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON cityops.audit (at);
