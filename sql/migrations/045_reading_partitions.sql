-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 045_reading_partitions: readings partitioned by day, loaded by COPY
-- (issue 12, "Eleven million sensors").
--
-- cityops.reading becomes a table partitioned by range of `at`, one
-- partition per UTC day (reading_pYYYYMMDD), made ahead and dropped after
-- the retention period in reading_retention by reading_partitions_run()
-- (sql/functions/47_partitions.sql; docs/scale.md says why a small
-- function called by ingest and not pg_partman). Rows for a day with no
-- partition yet (older history, far future) land in reading_default; the
-- maintenance moves them into their day's partition when it makes it.
--
-- Ingest COPYs each batch into reading_inbox (unlogged, write-only for
-- the cityops_ingest login) and, in the same transaction,
-- ingest_inbox() moves the transaction's own rows into reading, judges
-- the thresholds once per batch and notes conflicting values.
-- Tables and data only; functions are in sql/functions/.

ALTER TABLE cityops.reading RENAME TO reading_unpartitioned;
ALTER INDEX cityops.reading_pkey RENAME TO reading_unpartitioned_pkey;

CREATE TABLE cityops.reading (
	indicator_id text NOT NULL,
	at           timestamptz NOT NULL,
	value        numeric NOT NULL,
	PRIMARY KEY (indicator_id, at)
) PARTITION BY RANGE (at);
CREATE TABLE cityops.reading_default PARTITION OF cityops.reading DEFAULT;
REVOKE ALL ON cityops.reading FROM PUBLIC;
GRANT SELECT ON cityops.reading TO cityops_user;
-- Read through the parent only, where its policy applies (10_security.sql).
REVOKE ALL ON cityops.reading_default FROM PUBLIC, cityops_user;
ALTER TABLE cityops.reading_default ENABLE ROW LEVEL SECURITY;

-- The rows go over without the triggers (there are none on the new table
-- yet): they were judged when they arrived.
INSERT INTO cityops.reading SELECT indicator_id, at, value FROM cityops.reading_unpartitioned;
DROP TABLE cityops.reading_unpartitioned;

-- Retention per partitioned table: partitions wholly older than
-- retain_days are dropped (NULL: kept for ever, the default: a city sets
-- its own period, e.g. UPDATE ... SET retain_days = 400); ahead_days
-- partitions are made ahead of today.
CREATE TABLE cityops.partition_retention (
	table_name  text PRIMARY KEY CHECK (table_name IN ('reading')),
	retain_days int CHECK (retain_days BETWEEN 1 AND 36600),
	ahead_days  int NOT NULL DEFAULT 3 CHECK (ahead_days BETWEEN 1 AND 60)
);
REVOKE ALL ON cityops.partition_retention FROM PUBLIC;
ALTER TABLE cityops.partition_retention ENABLE ROW LEVEL SECURITY;
INSERT INTO cityops.partition_retention VALUES ('reading', NULL, 3);

-- What COPY writes: a transaction's own rows, taken out again by
-- ingest_inbox() before it commits. Rows left by a transaction that
-- committed without calling it are purged by the maintenance.
CREATE UNLOGGED TABLE cityops.reading_inbox (
	indicator_id text,
	value        float8,
	at           timestamptz,
	xid          xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX reading_inbox_xid ON cityops.reading_inbox (xid);
REVOKE ALL ON cityops.reading_inbox FROM PUBLIC, cityops_user;
GRANT INSERT ON cityops.reading_inbox TO cityops_ingest;

-- Values that conflicted with the one stored for the same indicator and
-- time (the first stored is kept), from this batch or an earlier run.
CREATE TABLE cityops.reading_conflict (
	indicator_id text NOT NULL,
	at           timestamptz NOT NULL,
	value        numeric NOT NULL,
	kept         numeric NOT NULL,
	first_seen   timestamptz NOT NULL DEFAULT now(),
	last_seen    timestamptz NOT NULL DEFAULT now(),
	seen         bigint NOT NULL DEFAULT 1,
	PRIMARY KEY (indicator_id, at, value)
);
REVOKE ALL ON cityops.reading_conflict FROM PUBLIC;
ALTER TABLE cityops.reading_conflict ENABLE ROW LEVEL SECURITY;

-- The triggers, the policy and the functions on reading went with the old
-- table: every function file is applied again after this migration.
DELETE FROM public.cityops_function_file;
