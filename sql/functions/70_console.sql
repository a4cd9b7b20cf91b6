-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- What the console alone reads: the open counts of its status line and the
-- event log by position (docs/sql-api.md, "The event log by position";
-- migration 016 explains why a position and not an id).

-- Open incidents by priority for the status line, and how many of each are
-- past their SLA. Counting on the open-incident rows directly, rather than
-- through the queue, keeps the console's start and refresh cheap when
-- thousands of incidents are open. Row-level security limits the count to
-- the caller's scope.
CREATE OR REPLACE FUNCTION cityops.open_counts(p_exercise bool DEFAULT false)
RETURNS TABLE (priority int, n bigint, breached bigint)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT i.priority, count(*), count(*) FILTER (WHERE i.sla_due < cityops.now())
	FROM incident i
	WHERE i.is_open AND i.exercise = coalesce(p_exercise, false)
	GROUP BY i.priority
	ORDER BY i.priority
$$;

-- The events from position p_from on, oldest first, each with the new
-- horizon and how many rows the span holds (span); at most p_limit rows,
-- the newest. With p_from NULL it returns one row with only the horizon
-- (and span 0): where a console that just started begins. Row-level
-- security on incident_event limits the rows to the caller's scope;
-- exercise events only when p_exercise.
CREATE OR REPLACE FUNCTION cityops.events_since(p_from xid8, p_exercise bool DEFAULT false,
	p_limit int DEFAULT 500)
RETURNS TABLE (horizon xid8, span bigint, tx xid8, id bigint, ref text,
	at timestamptz, actor name, action text, from_state text, to_state text,
	unit text, note text, exercise bool)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	WITH h AS (
		SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon
	), span AS (
		SELECT e.tx, e.id, i.ref, e.at, e.actor, e.action, e.from_state,
			e.to_state, e.unit, e.note, i.exercise
		FROM cityops.incident_event e
		JOIN cityops.incident i ON i.id = e.incident_id
		WHERE p_from IS NOT NULL AND e.tx >= p_from
			AND (p_exercise OR NOT i.exercise)
	), newest AS (
		SELECT * FROM span ORDER BY tx DESC, id DESC
		LIMIT greatest(coalesce(p_limit, 500), 1)
	)
	SELECT h.horizon, (SELECT count(*) FROM span), n.tx, n.id, n.ref, n.at,
		n.actor, n.action, n.from_state, n.to_state, n.unit, n.note, n.exercise
	FROM h LEFT JOIN newest n ON true
	ORDER BY n.tx, n.id
$$;
REVOKE EXECUTE ON FUNCTION cityops.events_since(xid8, bool, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.events_since(xid8, bool, int) TO cityops_user;

-- A change record for every timeline row, carrying its id: a note that
-- changes no incident column still reaches every console's event log.
CREATE OR REPLACE FUNCTION cityops.notify_event() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM change_emit('event', NEW.id::text, NEW.incident_id, NEW.region_path,
		(SELECT i.exercise FROM incident i WHERE i.id = NEW.incident_id),
		jsonb_build_object('t', 'event', 'id', NEW.id, 'incident', NEW.incident_id));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.notify_event() FROM PUBLIC;
DROP TRIGGER IF EXISTS incident_event_notify ON cityops.incident_event;
CREATE TRIGGER incident_event_notify AFTER INSERT ON cityops.incident_event
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_event();

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
