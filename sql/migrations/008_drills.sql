-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 008_drills: exercises (演练) that run against the real database without
-- ever mixing into real work.
--
-- The design, in four rules the database keeps by itself:
--
--  1. Exercise resources are separate. Units and indicators get an
--     exercise flag; sql/seed/drills.sql adds a pool of exercise units (call
--     signs EX-…) and exercise indicators (ids ex.…). Real views — unit
--     lists, recommendations, vital signs, alarms, region rollups — leave
--     them out; a view shows them only when it asks for exercises. An
--     exercise unit can never be assigned to a real incident.
--  2. A drill's connections are fenced. The drill runner sets the session
--     setting cityops.drill to its run id on every connection it opens; a
--     fenced session may raise only exercise incidents and may change only
--     exercise incidents, exercise units, alarms of exercise indicators and
--     readings of exercise indicators, never the mode. So whatever a drill
--     file says, it cannot touch real data.
--  3. Every exercise incident and every audit row about exercise data is
--     tagged with its drill run (from cityops.drill, or — for people acting
--     at live consoles — the newest running drill).
--  4. Real history stays append-only for everyone. The timeline and audit
--     triggers now let a DELETE through only when the row is exercise data
--     AND the transaction-local marker cityops.drill_clearing is on, which
--     only cityops.drill_clear sets. Forging the marker (only the owner can
--     DELETE at all) gains nothing: real rows are refused regardless.

-- ------------------------------------------------------------------------
-- Drill runs.
CREATE TABLE cityops.drill_run (
	id          bigserial PRIMARY KEY,
	name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]*$'),  -- file stem
	title       text NOT NULL,
	started_by  name NOT NULL,
	started_at  timestamptz NOT NULL DEFAULT now(),   -- real time
	clock_start timestamptz NOT NULL,                 -- drill time +00:00
	clock_end   timestamptz,                          -- last drill time reached
	speed       numeric,                              -- NULL: as fast as possible
	state       text NOT NULL DEFAULT 'running'
		CHECK (state IN ('running', 'passed', 'failed', 'aborted')),
	finished_at timestamptz,
	held        int,
	failed      int,
	report      jsonb
);
CREATE INDEX drill_run_name ON cityops.drill_run (name);
CREATE INDEX drill_run_running ON cityops.drill_run (id) WHERE state = 'running';
GRANT SELECT ON cityops.drill_run TO cityops_user;

ALTER TABLE cityops.incident ADD COLUMN drill_run bigint REFERENCES cityops.drill_run;
CREATE INDEX incident_drill_run ON cityops.incident (drill_run) WHERE drill_run IS NOT NULL;
ALTER TABLE cityops.unit ADD COLUMN exercise boolean NOT NULL DEFAULT false;
ALTER TABLE cityops.indicator ADD COLUMN exercise boolean NOT NULL DEFAULT false;
ALTER TABLE cityops.audit ADD COLUMN exercise boolean NOT NULL DEFAULT false;
ALTER TABLE cityops.audit ADD COLUMN drill_run bigint;
CREATE INDEX audit_drill_run ON cityops.audit (drill_run) WHERE drill_run IS NOT NULL;

-- Its functions and triggers are defined once, in
-- sql/functions/60_drills.sql (the fence, runs and reports), 20_records.sql
-- (append-only history) and 30_reads.sql (the exercise filters of real
-- views), since issue 13 (one definition of every function;
-- docs/sql-api.md). The file stays so that a database that recorded it
-- still finds the same list.
