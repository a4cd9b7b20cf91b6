-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 007: readings ingest, feed-raised incidents, entity mapping,
-- alarm acknowledgement.
SELECT plan(22);
-- Readings must not be from the future (issue 10: more than 5 min ahead
-- is refused), so the test's times start a minute from now.
SELECT set_config('cityops_test.t0', (now() + interval '1 minute')::text, false) AS t0 \gset

SET SESSION AUTHORIZATION cityops_ingest;

-- A batch: one known reading twice, one unknown indicator, one NaN.
SELECT results_eq(
	$$SELECT * FROM cityops.ingest_readings(
		ARRAY['fx.tide.jinhui', 'fx.tide.jinhui', 'no.such.indicator', 'fx.rain'],
		ARRAY[3.0, 3.0, 1, 'NaN']::float8[],
		ARRAY[current_setting('cityops_test.t0')::timestamptz, current_setting('cityops_test.t0')::timestamptz, current_setting('cityops_test.t0')::timestamptz,
		      current_setting('cityops_test.t0')::timestamptz]::timestamptz[])$$,
	$$VALUES (1, 1, 2)$$, 'a batch counts accepted, duplicate and unknown');
-- The same batch again, as after a restart: nothing is added twice.
SELECT results_eq(
	$$SELECT * FROM cityops.ingest_readings(ARRAY['fx.tide.jinhui'], ARRAY[3.0]::float8[],
		ARRAY[current_setting('cityops_test.t0')::timestamptz]::timestamptz[])$$,
	$$VALUES (0, 1, 0)$$, 'a resent reading is a duplicate');
SELECT is((SELECT count(*)::int FROM cityops.reading
	WHERE indicator_id = 'fx.tide.jinhui' AND at = current_setting('cityops_test.t0')::timestamptz), 1,
	'stored once');
SELECT is((SELECT last_state FROM cityops.indicator WHERE id = 'fx.tide.jinhui'), 'normal',
	'the newest reading decides the state');
SELECT is((SELECT count(*)::int FROM cityops.alarm
	WHERE indicator_id = 'fx.tide.jinhui' AND state <> 'cleared'), 0,
	'a normal reading clears the open alarm');

-- Rising tide: warn at 4.2, alarm at 4.6.
SELECT lives_ok($$SELECT cityops.ingest_readings(ARRAY['fx.tide.jinhui'], ARRAY[4.7]::float8[],
	ARRAY[current_setting('cityops_test.t0')::timestamptz + interval '10 seconds']::timestamptz[])$$, 'tide above the alarm threshold');
SELECT results_eq($$SELECT level, state FROM cityops.alarm
	WHERE indicator_id = 'fx.tide.jinhui' AND state <> 'cleared'$$,
	$$VALUES ('alarm'::text, 'raised'::text)$$, 'an alarm is raised');

SELECT throws_ok($$SELECT cityops.ingest_readings(ARRAY['a'], ARRAY[1, 2]::float8[],
	ARRAY[now()])$$, 'CO006', NULL, 'arrays of different lengths are refused');

-- Incidents from feeds merge on their dedup key.
SELECT is((SELECT merged FROM cityops.feed_incident('12345', 'noise', 3, '奉浦街道',
	'夜间施工噪声', '居民投诉', '奉浦大道', NULL, NULL, 'open311:T-1', false)), false,
	'a new request raises an incident');
SELECT is((SELECT merged FROM cityops.feed_incident('12345', 'noise', 3, '奉浦街道',
	'夜间施工噪声', '居民投诉', '奉浦大道', NULL, NULL, 'open311:T-1', false)), true,
	'the same request again merges');
SELECT is((SELECT count(*)::int FROM cityops.incident WHERE dedup_key = 'open311:T-1'), 1,
	'one incident per request');
SELECT is((SELECT region_code FROM cityops.incident WHERE dedup_key = 'open311:T-1'),
	'310120002', 'placed in the named region');
SELECT lives_ok($$SELECT cityops.feed_incident('sensor', 'flood', 2, NULL,
	'积水', '', '', 30.9186, 121.4738, 'alarm:T-2', false)$$, 'coordinates alone place an incident');
SELECT results_eq($$SELECT lat::float8, region_path <@ '310000.310120' FROM cityops.incident
	WHERE dedup_key = 'alarm:T-2'$$, $$VALUES (30.9186::float8, true)$$,
	'in 奉贤, at the feed''s coordinates');
SELECT throws_ok($$SELECT cityops.feed_incident('sensor', 'flood', 2, '南桥镇', '积水', '', '',
	NULL, NULL, NULL, false)$$, 'CO006', NULL, 'a dedup key is required');
SELECT throws_ok($$SELECT cityops.feed_incident('sensor', 'flood', 2, NULL, '积水', '', '',
	NULL, NULL, 'x', false)$$, 'CO006', NULL, 'a region or coordinates are required');
RESET SESSION AUTHORIZATION;

-- Viewers cannot ingest; only admins edit the mapping.
SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok($$SELECT cityops.ingest_readings(ARRAY['fx.rain'], ARRAY[1]::float8[],
	ARRAY[now()])$$, 'CO002', NULL, 'a viewer cannot ingest');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION super_city;
SELECT throws_ok($$SELECT cityops.entity_map_set('WeatherObserved', 'x', 'precipitation',
	'fx.rain')$$, 'CO002', NULL, 'a supervisor cannot edit the mapping');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION admin_city;
SELECT lives_ok($$SELECT cityops.entity_map_set('WeatherObserved', 'urn:ngsi-ld:W:fx',
	'precipitation', 'fx.rain')$$, 'an admin maps an attribute');
SELECT is((SELECT indicator_id FROM cityops.entity_mappings()
	WHERE entity_id = 'urn:ngsi-ld:W:fx' AND attribute = 'precipitation'), 'fx.rain',
	'the mapping is listed');
RESET SESSION AUTHORIZATION;

-- Acknowledging: officers in scope, once.
SET SESSION AUTHORIZATION officer_fx;
SELECT results_eq($$SELECT state FROM cityops.alarm_ack(
	(SELECT id FROM cityops.alarm WHERE indicator_id = 'fx.tide.jinhui' AND state = 'raised'),
	'已通知水务')$$, $$VALUES ('acknowledged'::text)$$, 'an officer acknowledges');
SELECT throws_ok($$SELECT cityops.alarm_ack(
	(SELECT id FROM cityops.alarm WHERE indicator_id = 'fx.tide.jinhui' AND state <> 'cleared'),
	'again')$$, 'CO004', NULL, 'an acknowledged alarm cannot be acknowledged again');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
