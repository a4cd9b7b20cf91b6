-- 012_vitals_catalogue: vitals() also returns each indicator's staleness
-- limit and hysteresis, so that the console, which judges live feed values
-- itself, marks one quiet sensor stale and applies the same hysteresis as
-- the database does. The columns are added at the end; callers that read
-- by name are unaffected.

-- vitals() is defined once, in sql/functions/30_reads.sql, since issue 13
-- (one definition of every function; docs/sql-api.md). The file stays so
-- that a database that recorded it still finds the same list.
