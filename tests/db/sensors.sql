-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 12: sensors apart from indicators (migration 046, 48_sensors.sql):
-- history partitioned with retention, the generator, rollup definitions
-- (role-checked, validated, audited), membership by selectors, and the
-- COPY inbox ingest uses (once per sensor and time).
SELECT plan(29);

-- ---- tables -------------------------------------------------------------
SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'cityops.sensor_reading'::regclass), 'p',
	'sensor_reading is a partitioned table');
SELECT ok((SELECT count(*) FROM cityops.reading_partitions_run(now())
	WHERE action = 'made' AND partition LIKE 'sensor_reading_p%') >= 4,
	'the maintenance makes sensor_reading''s days too');
SELECT is((SELECT retain_days FROM cityops.partition_retention WHERE table_name = 'sensor_reading'), 7,
	'sensor history is kept 7 days by default');

-- ---- the generator ----------------------------------------------------------
SET SESSION AUTHORIZATION officer_hp;
SELECT throws_ok($$SELECT * FROM cityops.sensor_generate(10)$$, 'CO002', NULL,
	'an officer cannot generate sensors');
SELECT throws_ok($$SELECT count(*) FROM cityops.sensor_reading$$, '42501', NULL,
	'an operator cannot read sensor history directly');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION admin_city;
SELECT is((SELECT sensors || '/' || rollups FROM cityops.sensor_generate(1600)), '1600/144',
	'1,600 sensors over the 144 district indicators, one rollup each');
SELECT is((SELECT sensors || '/' || rollups FROM cityops.sensor_generate(2000)), '2000/144',
	'generating again replaces what was generated');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM cityops.rollup_members()), 2000::bigint,
	'every generated sensor is in exactly one district rollup');
SELECT is((SELECT count(*) FROM cityops.rollup_members() m
	JOIN cityops.sensor s ON s.id = m.sensor_id JOIN cityops.indicator i ON i.id = m.indicator_id
	JOIN cityops.region d ON d.code = i.region_code
	WHERE s.region_path <@ d.path AND s.kind = split_part(i.id, '.', 2)), 2000::bigint,
	'each in its indicator''s district and of its kind');
SELECT is((SELECT count(DISTINCT s.region_code) > 16 FROM cityops.sensor s), true,
	'sensors are spread over the districts'' streets');
SET SESSION AUTHORIZATION officer_hp;
SELECT ok((SELECT count(*) FILTER (WHERE s.region_path <@ '310000.310101') = count(*)
		AND count(*) BETWEEN 1 AND 1999 FROM cityops.sensor s),
	'an officer sees the sensors in scope only');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM cityops.audit WHERE action = 'sensor.generate'), 2::bigint,
	'the generator is audited');

-- ---- rollup definitions ---------------------------------------------------
SET SESSION AUTHORIZATION admin_city;
SELECT throws_ok($$SELECT * FROM cityops.indicator_rollup_define('fx.rain', 'percentile', 1.5, 60,
	NULL, 'rain', NULL, NULL)$$, 'CO006', NULL, 'a percentile outside 0..1 is refused');
SELECT throws_ok($$SELECT * FROM cityops.indicator_rollup_define('fx.rain', 'max', NULL, 60,
	NULL, NULL, NULL, NULL)$$, 'CO006', NULL, 'a rollup with no selector is refused');
SELECT throws_ok($$SELECT * FROM cityops.indicator_rollup_define('fx.rain', 'count_above', NULL, 60,
	NULL, 'rain', NULL, NULL)$$, 'CO006', NULL, 'count_above with no threshold is refused');
SELECT throws_ok($$SELECT * FROM cityops.indicator_rollup_define('no.such', 'max', NULL, 60,
	NULL, 'rain', NULL, NULL)$$, 'CO001', NULL, 'an unknown indicator is refused');
SELECT throws_ok($$SELECT * FROM cityops.indicator_rollup_define('fx.rain', 'max', NULL, 86401,
	NULL, 'rain', NULL, NULL)$$, 'CO006', NULL, 'a window over a day is refused');
SELECT is((SELECT fn || ' ' || members FROM cityops.indicator_rollup_define('fx.rain', 'count_above', 50,
	300, '奉贤区', 'rain', NULL, NULL)), 'count_above ' || (SELECT count(*) FROM cityops.sensor s
	JOIN cityops.region d ON d.code = '310120' WHERE s.kind = 'rain' AND s.region_path <@ d.path),
	'a redefinition replaces the rollup; members by region subtree and kind');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM cityops.audit WHERE action = 'indicator.rollup' AND object = 'fx.rain'),
	1::bigint, 'the definition is audited, the refusals change nothing');
SET SESSION AUTHORIZATION officer_fx;
SELECT throws_ok($$SELECT * FROM cityops.indicator_rollup_define('fx.rain', 'max', NULL, 60,
	NULL, 'rain', NULL, NULL)$$, 'CO002', NULL, 'an officer cannot define a rollup');
RESET SESSION AUTHORIZATION;

-- ---- the inbox ingest COPYs into ------------------------------------------------
SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok($$SELECT * FROM cityops.ingest_sensors()$$, 'CO002', NULL,
	'a viewer cannot load the sensors');
SELECT throws_ok($$INSERT INTO cityops.sensor_inbox (sensor_id, value, at) VALUES ('s.0000001', 1, now())$$,
	'42501', NULL, 'an operator cannot write the inbox');
RESET SESSION AUTHORIZATION;
SELECT (now() - interval '1 minute')::text AS t1, (now() - interval '3 minutes')::text AS t3 \gset
BEGIN;
SET LOCAL SESSION AUTHORIZATION cityops_ingest;
INSERT INTO cityops.sensor_inbox (sensor_id, value, at) VALUES
	('s.0000001', 4, :'t3'), ('s.0000001', 3, :'t3'), ('s.0000001', 5, now() - interval '30 days'),
	('s.0000002', 7, :'t1'), ('s.0000001', 9, now() - interval '2 minutes'),
	('nosuch', 1, now()), ('s.0000003', 'NaN', now());
CREATE TEMP TABLE b1 AS SELECT * FROM cityops.ingest_sensor_inbox();
COMMIT;
SELECT is((SELECT accepted || '/' || duplicate || '/' || unknown FROM b1),
	'3/1/3', 'stored once each; unknown sensors, NaN and readings older than the retention are not');
SELECT is((SELECT value FROM cityops.sensor_reading WHERE sensor_id = 's.0000001' AND at = :'t3'), 3::float8,
	'two values for one sensor and time in a batch: the lowest is kept');
BEGIN;
SET LOCAL SESSION AUTHORIZATION cityops_ingest;
INSERT INTO cityops.sensor_inbox (sensor_id, value, at) VALUES ('s.0000002', 8, :'t1');
CREATE TEMP TABLE b2 AS SELECT * FROM cityops.ingest_sensor_inbox();
COMMIT;
SELECT is((SELECT accepted || '/' || duplicate || '/' || unknown FROM b2),
	'0/1/0', 'a replay stores nothing (the first value is kept)');
SET SESSION AUTHORIZATION cityops_ingest;
SELECT throws_ok($$SELECT count(*) FROM cityops.sensor_inbox$$, '42501', NULL,
	'ingest cannot read the inbox back');
SELECT is((SELECT string_agg(sensor_id || '=' || value, ',' ORDER BY sensor_id)
	FROM cityops.ingest_sensor_latest(now() - interval '1 hour')), 's.0000001=9,s.0000002=7',
	'the latest reading per sensor, as a restarted ingest loads it');
SELECT is((SELECT count(*) FROM cityops.ingest_sensors() WHERE rollups <> ''), 2000::bigint,
	'ingest loads every sensor with its rollups');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM cityops.sensor_inbox), 0::bigint, 'the inbox is left empty');

SELECT * FROM finish();
