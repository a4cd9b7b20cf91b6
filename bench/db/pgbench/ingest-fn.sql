-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- One ingest batch through cityops.ingest_readings (migration 007): :batch
-- readings stamped now, of distinct bench indicators from this client's
-- share (n = client + nclients * j + 1), starting at a random offset. The
-- arrays are built server-side here; the daemon sends them as parameters.
\set off random(0, :slice - 1)
SELECT * FROM cityops.ingest_readings(
	ARRAY(SELECT 'bench.i' || lpad((1 + :client_id + :nclients * ((:off + g) % :slice))::text, 5, '0') FROM generate_series(0, :batch - 1) g),
	ARRAY(SELECT 50 + 20 * random() FROM generate_series(1, :batch)),
	array_fill(clock_timestamp(), ARRAY[:batch]));
