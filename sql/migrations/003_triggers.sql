-- 003_triggers: invariants the database keeps by itself, whoever writes —
-- derived columns, append-only history, change notifications and the
-- indicator state machine fed by readings.
--
-- Triggers that guard history or tell consoles about changes are ENABLE
-- ALWAYS, so that session_replication_role = replica does not silence them.

-- Its trigger functions and triggers are defined once, in sql/functions/20_records.sql, since issue 13 (one
-- definition of every function; docs/sql-api.md). The file stays so that
-- a database that recorded it still finds the same list.
