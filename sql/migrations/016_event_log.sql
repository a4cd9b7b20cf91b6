-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
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

-- events_since() and the NOTIFY per timeline row are defined once, in
-- sql/functions/70_console.sql, since issue 13 (one definition of every
-- function; docs/sql-api.md). The file stays so that a database that
-- recorded it still finds the same list.
