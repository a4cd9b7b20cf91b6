-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 009_performance: what bench/db-bench showed at 1 M incidents (10 k open),
-- 5 k indicators and 50 M readings (figures in docs/performance.md).
--
-- Row-level security stays the authority for every read: the functions
-- callers use are still SECURITY INVOKER. What changes is how the rows are
-- found. Under RLS the planner sees the policy's scope only as an InitPlan
-- parameter, estimates its GiST condition at 0.1 % of the table, and may
-- not use a caller's own region condition as an index condition (ltree's
-- operators are not leakproof, so they are evaluated after the policy):
-- the queue read every open incident of the caller's scope and sorted it,
-- and a drill-down did that once per child region for incidents and
-- again for indicators. The helpers below are SECURITY DEFINER, apply the
-- caller's scope themselves (so they return nothing the caller could not
-- see), and plan with the real values; the readers then fetch the few
-- rows they return through RLS as before.
--
-- Ingest: reading_apply judged a batch one indicator at a time (three
-- statements per indicator); it is now set-based, with the same result.

-- ------------------------------------------------------------------------
-- The queue.

-- Queue order without a sort of every open incident: breached cases first
-- (sla_due < now), then the rest, each by priority, sla_due, created_at —
-- which is this index's order once exercise is fixed.
CREATE INDEX incident_open_order ON cityops.incident (exercise, priority, sla_due, created_at, id)
	WHERE is_open;
DROP INDEX cityops.incident_open_queue;

-- ------------------------------------------------------------------------
-- Drill-down: the roll-up of several regions in one pass.

-- Open incidents by region code, for counting without the heap when the
-- pages are all-visible.
CREATE INDEX incident_open_region_code ON cityops.incident (region_code)
	WHERE is_open AND NOT exercise;

-- Indicators by region code, for a small subtree's roll-up.
CREATE INDEX indicator_region_code ON cityops.indicator (region_code);

-- Its functions are defined once, in sql/functions/30_reads.sql (queue_ids,
-- region_rollups, reading_history and their readers), 20_records.sql
-- (reading_apply) and 40_writes.sql (next_ref), since issue 13 (one
-- definition of every function; docs/sql-api.md). The file stays so that a
-- database that recorded it still finds the same list.
