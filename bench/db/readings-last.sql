-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- bench/db/readings-last.sql: the newest reading of every bench indicator,
-- in one statement with triggers on: reading_apply sets last_* and raises
-- the alarms, as the ingest path does.
\set ON_ERROR_STOP on
INSERT INTO cityops.reading (indicator_id, at, value)
SELECT 'bench.i' || lpad(n::text, 5, '0'), :'t0'::timestamptz,
	round((50 + n % 37 + (10 + n % 7) * sin(n) + 4 * (random() - 0.5))::numeric, 2)
FROM generate_series(1, :indicators) n;
