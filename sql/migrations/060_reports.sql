-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 060_reports: what the shift handover (交接班) and the evaluation reports
-- (评估评价) read and write (issue 15; docs/console.md "Reports").
--
-- incident_step: per incident, when it first reached each step the SLA
-- measures (ack, dispatch, arrive, close) and how often it was returned,
-- reopened and escalated. The timeline holds the same facts, but a report
-- over a month of a million incidents cannot walk six timeline rows per
-- incident within its budget (1 s p99); one narrow row per incident,
-- kept by a trigger on the timeline (sql/functions/80_reports.sql), can.
-- Deadlines are copied from the incident at raise: a reopen renews the
-- incident's, but the evaluation judges the first pass.
CREATE TABLE cityops.incident_step (
	incident_id     bigint PRIMARY KEY REFERENCES cityops.incident,
	region_path     ltree NOT NULL,
	category_code   text NOT NULL,
	priority        int NOT NULL,
	exercise        boolean NOT NULL,
	department_code text,                 -- of the first unit dispatched
	created_at      timestamptz NOT NULL,
	ack_due         timestamptz NOT NULL,
	dispatch_due    timestamptz NOT NULL,
	arrive_due      timestamptz NOT NULL,
	close_due       timestamptz NOT NULL,
	ack_at          timestamptz,          -- first action out of 'new'
	dispatch_at     timestamptz,          -- first time 'dispatched'
	arrive_at       timestamptz,          -- first time 'on_scene'
	close_at        timestamptz,          -- first time closed/unfounded/cancelled
	end_state       text,                 -- that first closing state
	returns         int NOT NULL DEFAULT 0,
	reopens         int NOT NULL DEFAULT 0,
	escalations     int NOT NULL DEFAULT 0
);
CREATE INDEX incident_step_created ON cityops.incident_step (created_at) WHERE NOT exercise;
CREATE INDEX incident_step_closed ON cityops.incident_step (close_at) WHERE NOT exercise;

-- Handovers between duty officers: given by one, accepted by the other.
-- region_path is the giver's scope, for row-level security.
CREATE TABLE cityops.handover (
	id          bigserial PRIMARY KEY,
	at          timestamptz NOT NULL DEFAULT cityops.now(),
	from_login  name NOT NULL REFERENCES cityops.operator,
	to_login    name NOT NULL REFERENCES cityops.operator,
	region_path ltree NOT NULL,
	note        text,
	accepted_at timestamptz,
	CHECK (from_login <> to_login)
);
CREATE INDEX handover_at ON cityops.handover (at);

-- Notes marked for the next shift (note --handover), with or without an
-- incident; region_path is the incident's, else the writer's scope.
CREATE TABLE cityops.handover_note (
	id          bigserial PRIMARY KEY,
	at          timestamptz NOT NULL DEFAULT cityops.now(),
	actor       name NOT NULL,
	region_path ltree NOT NULL,
	incident_id bigint REFERENCES cityops.incident,
	note        text NOT NULL
);
CREATE INDEX handover_note_at ON cityops.handover_note (at);

-- The steps of the incidents already recorded, from their timelines.
INSERT INTO cityops.incident_step (incident_id, region_path, category_code, priority,
	exercise, created_at, ack_due, dispatch_due, arrive_due, close_due)
SELECT id, region_path, category_code, priority, exercise, created_at, ack_due,
	dispatch_due, arrive_due, close_due
FROM cityops.incident;

UPDATE cityops.incident_step s SET
	ack_at = e.ack_at, dispatch_at = e.dispatch_at, arrive_at = e.arrive_at,
	close_at = e.close_at, returns = e.returns, reopens = e.reopens,
	escalations = e.escalations
FROM (
	SELECT incident_id,
		min(at) FILTER (WHERE from_state = 'new' AND to_state IS NOT NULL AND to_state <> 'new') AS ack_at,
		min(at) FILTER (WHERE to_state = 'dispatched') AS dispatch_at,
		min(at) FILTER (WHERE to_state = 'on_scene') AS arrive_at,
		min(at) FILTER (WHERE to_state IN ('closed', 'unfounded', 'cancelled')) AS close_at,
		count(*) FILTER (WHERE action = 'return') AS returns,
		count(*) FILTER (WHERE action = 'reopen') AS reopens,
		count(*) FILTER (WHERE action = 'escalate') AS escalations
	FROM cityops.incident_event GROUP BY incident_id
) e
WHERE e.incident_id = s.incident_id;

UPDATE cityops.incident_step s SET end_state = e.to_state
FROM cityops.incident_event e
WHERE e.incident_id = s.incident_id AND e.at = s.close_at
	AND e.to_state IN ('closed', 'unfounded', 'cancelled');

UPDATE cityops.incident_step s SET department_code = u.department_code
FROM (
	SELECT DISTINCT ON (a.incident_id) a.incident_id, un.department_code
	FROM cityops.assignment a JOIN cityops.unit un ON un.id = a.unit_id
	ORDER BY a.incident_id, a.assigned_at, a.id
) u
WHERE u.incident_id = s.incident_id;
