-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- One ingest batch as a plain INSERT (no ingest_readings function yet):
-- :batch readings stamped now, as the superuser.
\set off random(0, :slice - 1)
INSERT INTO cityops.reading (indicator_id, at, value)
SELECT 'bench.i' || lpad((1 + :client_id + :nclients * ((:off + g) % :slice))::text, 5, '0'),
	clock_timestamp(), round((50 + 20 * random())::numeric, 2)
FROM generate_series(0, :batch - 1) g
ON CONFLICT (indicator_id, at) DO NOTHING;
