-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- bench/db/indicators.sql: :indicators bench indicators bench.i00001 …,
-- indicator n in district (n - 1) % 16 (districts in code order), on one of
-- its regions. Inserted with their triggers (region_path).
\set ON_ERROR_STOP on
INSERT INTO cityops.indicator (id, category_code, name, uom, region_code, side, warn, alarm,
	hysteresis, stale_s)
SELECT 'bench.i' || lpad(n::text, 5, '0'),
	(ARRAY['weather', 'traffic', 'environment', 'water', 'energy', 'crowd', 'safety',
		'hotline'])[1 + n % 8],
	'压测指标 ' || n, 'u', d.pool[1 + ((n - 1) / 16) % cardinality(d.pool)], 'high',
	-- bench/db/readings.sql draws value = b + a sin(…) ± 2 with b = 50 + n % 37,
	-- a = 10 + n % 7: most indicators stay normal, every 53rd hovers round
	-- its warn threshold, every 101st round its alarm threshold.
	CASE WHEN n % 53 = 0 THEN 50 + n % 37 WHEN n % 101 = 0 THEN 40 + n % 37
		ELSE 50 + n % 37 + 10 + n % 7 + 5 END,
	CASE WHEN n % 101 = 0 THEN 50 + n % 37 ELSE 50 + n % 37 + 10 + n % 7 + 15 END,
	1, 900
FROM generate_series(1, :indicators) n
JOIN bench.district d ON d.didx = (n - 1) % 16;
