-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 050_escalation: escalation that happens by itself (自动督办, issue 14).
--
-- escalation_policy: per policy (peace, or the one an emergency mode puts
-- in force, migration 051), category and priority, the steps of an SLA
-- breach. Step n fires when the incident's pending deadline (sla_due) is
-- `after` in the past and the incident has not moved on; each step raises
-- the escalation level by one (to 3 at most) and writes a timeline row by
-- 'system'. Category '*' is the fallback, as in sla_policy. Admins edit it
-- with `escalation set|remove` (cityops.escalation_policy_set).
CREATE TABLE cityops.escalation_policy (
	policy        text NOT NULL DEFAULT 'peace' CHECK (policy ~ '^[a-z0-9_-]{1,40}$'),
	category_code text NOT NULL,
	priority      int NOT NULL CHECK (priority BETWEEN 1 AND 4),
	step          int NOT NULL CHECK (step BETWEEN 1 AND 3),
	after         interval NOT NULL CHECK (after >= interval '0'),
	PRIMARY KEY (policy, category_code, priority, step)
);

-- One row per breach step fired: a breach is the incident's deadline for a
-- stage (a reopen renews the deadlines, so it can breach again). The
-- primary key is THE guarantee that a step fires once, however many
-- schedulers run escalate_due at the same time.
CREATE TABLE cityops.escalation_fired (
	incident_id bigint NOT NULL REFERENCES cityops.incident,
	sla_stage   text NOT NULL,
	sla_due     timestamptz NOT NULL,
	step        int NOT NULL,
	region_path ltree NOT NULL,           -- the incident's, for RLS
	policy      text NOT NULL,
	fired_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
	fired_by    name NOT NULL,            -- the scheduler's login
	PRIMARY KEY (incident_id, sla_stage, sla_due, step)
);
CREATE INDEX escalation_fired_region_path ON cityops.escalation_fired USING gist (region_path);
ALTER TABLE cityops.escalation_fired ENABLE ROW LEVEL SECURITY;

-- The peace policy: the first step as soon as the deadline passes, then
-- the next ones after a delay that grows as the priority falls.
INSERT INTO cityops.escalation_policy (policy, category_code, priority, step, after) VALUES
	('peace', '*', 1, 1, '0'), ('peace', '*', 1, 2, '10 minutes'), ('peace', '*', 1, 3, '30 minutes'),
	('peace', '*', 2, 1, '0'), ('peace', '*', 2, 2, '30 minutes'), ('peace', '*', 2, 3, '2 hours'),
	('peace', '*', 3, 1, '0'), ('peace', '*', 3, 2, '4 hours'),    ('peace', '*', 3, 3, '1 day'),
	('peace', '*', 4, 1, '0'), ('peace', '*', 4, 2, '1 day'),      ('peace', '*', 4, 3, '3 days');
