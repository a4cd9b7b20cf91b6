-- 016_event_log: the console's event log reads the timeline by position,
-- so that every event is shown once, in order, bursts and outages included.
--
-- An event id alone cannot be that position: ids are handed out when a row
-- is inserted, not when its transaction commits, so a reader that has seen
-- id 13 may later find a committed id 12. The position is instead the
-- transaction horizon: the oldest transaction still running, as seen in a
-- snapshot (pg_snapshot_xmin). Every row written by a transaction older
-- than the horizon is committed or gone for good, and no new row can ever
-- be written by one. So a reader asks for the rows with tx >= its horizon,
-- takes the new horizon from the same answer, and remembers the ids it has
-- shown whose tx is at or past the new horizon (rows of transactions that
-- committed while an older one was still running): those come again in the
-- next answer and are not shown twice; every other row of the answer is
-- new. Each row is shown exactly once, as soon as it is committed, whatever
-- was committed while the reader was away.

ALTER TABLE cityops.incident_event
	ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX incident_event_tx ON cityops.incident_event (tx, id);

-- The events from position p_from on, oldest first, each with the new
-- horizon and how many rows the span holds (span); at most p_limit rows,
-- the newest. With p_from NULL it returns one row with only the horizon
-- (and span 0): where a console that just started begins. Row-level
-- security on incident_event limits the rows to the caller's scope;
-- exercise events only when p_exercise.
CREATE FUNCTION cityops.events_since(p_from xid8, p_exercise bool DEFAULT false,
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
CREATE FUNCTION cityops.notify_event() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM pg_notify('cityops', json_build_object('t', 'event', 'id', NEW.id,
		'incident', NEW.incident_id)::text);
	RETURN NULL;
END
$$;
CREATE TRIGGER incident_event_notify AFTER INSERT ON cityops.incident_event
	FOR EACH ROW EXECUTE FUNCTION cityops.notify_event();
REVOKE EXECUTE ON FUNCTION cityops.notify_event() FROM PUBLIC;

