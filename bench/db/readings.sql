-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- bench/db/readings.sql: history for indicators :lo .. :hi, :per readings
-- each, one every :step seconds ending at :'t0' — all but the newest
-- (bench/db-bench writes those last, through the reading trigger, so
-- last_value / last_state / alarms follow). Rows go in time order, as
-- an ingest would write them: one page holds many indicators' readings.
-- Replica mode skips the per-row FK check (every id is a bench indicator)
-- and the statement trigger (superseded by the newest batch).
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET session_replication_role = replica;
INSERT INTO cityops.reading (indicator_id, at, value)
SELECT 'bench.i' || lpad(n::text, 5, '0'),
	:'t0'::timestamptz - make_interval(secs => k * :step),
	round((50 + n % 37 + (10 + n % 7) * sin(2 * pi() * (k * :step) / 86400.0 + n)
		+ 4 * (random() - 0.5))::numeric, 2)
FROM generate_series(:per - 1, 1, -1) k CROSS JOIN generate_series(:lo, :hi) n;
