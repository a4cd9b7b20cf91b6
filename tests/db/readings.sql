-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 10: the catalogue by command (admin only, audited), places by
-- region extent or out_of_area, stale readings as history, sources'
-- categories and later words on their incidents.
SELECT plan(54);

-- ---- indicator add|set|retire: admin only, audited ----------------------
SET SESSION AUTHORIZATION officer_fx;
SELECT throws_ok($$SELECT * FROM cityops.indicator_add('fx.wind.t1', '测试', 'weather', 'KMH',
	'海湾镇', 'high', 50, 75, 3, 600, NULL)$$, 'CO002', NULL, 'an officer cannot add an indicator');
SELECT throws_ok($$INSERT INTO cityops.indicator (id, category_code, name, uom, region_code,
	side, warn, alarm, stale_s) VALUES ('fx.x.y', 'weather', 'x', 'm', '310120', 'high', 1, 2, 60)$$,
	'42501', NULL, 'nor write the table behind it (a hostile psql login)');
SELECT throws_ok($$INSERT INTO cityops.entity_map VALUES ('A', '*', 'b', 'fx.rain', NULL)$$,
	'42501', NULL, 'nor the mapping table');
SELECT throws_ok($$SELECT * FROM cityops.feed_map_add('A', '*', 'b', 'fx.rain', NULL)$$,
	'CO002', NULL, 'nor map a feed attribute');
SELECT throws_ok($$SELECT * FROM cityops.feed_unmapped()$$, 'CO002', NULL,
	'nor list what is unmapped');
SELECT throws_ok($$SELECT * FROM cityops.region_import('{"type":"FeatureCollection","features":[]}')$$,
	'CO002', NULL, 'nor import regions');
SELECT throws_ok($$SELECT * FROM cityops.indicator_retire('fx.rain')$$, 'CO002', NULL,
	'nor retire an indicator');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok($$SELECT * FROM cityops.indicator_set('fx.rain', 'warn', '1')$$, 'CO002', NULL,
	'a viewer cannot change an indicator');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION admin_city;
SELECT results_eq($$SELECT id, unit_code, uom, region_code FROM cityops.indicator_add('fx.wind.t1',
	'海湾镇测试风速', 'weather', 'kmh', '海湾镇', 'high', 50, 75, 3, 600, 'weather')$$,
	$$VALUES ('fx.wind.t1', 'KMH', 'km/h', '310120123')$$, 'an admin adds an indicator with a unit code');
SELECT throws_ok($$SELECT * FROM cityops.indicator_add('fx.wind.t2', 'x', 'weather', 'XYZ',
	'海湾镇', 'high', 50, 75, 3, 600, NULL)$$, 'CO006', 'unknown unit code XYZ',
	'an unknown unit code is refused');
SELECT throws_ok($$SELECT * FROM cityops.indicator_add('fx.wind.t2', 'x', 'weather', 'KMH',
	'海湾镇', 'high', 80, 75, 3, 600, NULL)$$, 'CO006', NULL,
	'warn above alarm on a high side is refused');
SELECT lives_ok($$SELECT * FROM cityops.indicator_set('fx.wind.t1', 'warn', '55')$$,
	'an admin sets a threshold');
SELECT throws_ok($$SELECT * FROM cityops.indicator_set('fx.wind.t1', 'warn', 'high')$$,
	'CO006', 'warn: high is not a number', 'a threshold must be a number');
SELECT throws_ok($$SELECT * FROM cityops.indicator_set('fx.tide.jinhui', 'unit', 'CMT')$$,
	'CO004', NULL, 'the unit of an indicator with readings cannot change');
SELECT is((SELECT count(*)::int FROM cityops.audit WHERE action IN ('indicator.add', 'indicator.set')
	AND object = 'fx.wind.t1'), 2, 'each change wrote an audit row');

-- ---- feed map add|list|remove ------------------------------------------
SELECT results_eq($$SELECT entity_id, unit_code FROM cityops.feed_map_add('WeatherObserved',
	'urn:ngsi-ld:WeatherObserved:t1-*', 'windSpeed', 'fx.wind.t1', 'mts')$$,
	$$VALUES ('urn:ngsi-ld:WeatherObserved:t1-*', 'MTS')$$, 'a pattern row with a source unit');
SELECT is((SELECT indicator_unit || '/' || source_unit FROM cityops.feed_mappings()
	WHERE indicator_id = 'fx.wind.t1'), 'KMH/MTS', 'ingest loads both units');
SELECT throws_ok($$SELECT * FROM cityops.feed_map_add('X', '*', 'a', 'no.such', NULL)$$,
	'CO001', NULL, 'a mapping to no indicator is refused');
SELECT is((SELECT count(*)::int FROM cityops.feed_map_list('WeatherObserved')
	WHERE indicator_id = 'fx.wind.t1'), 1, 'feed map list shows it');
SELECT lives_ok($$SELECT * FROM cityops.feed_map_remove('WeatherObserved',
	'urn:ngsi-ld:WeatherObserved:t1-*', 'windSpeed')$$, 'feed map remove');
SELECT throws_ok($$SELECT * FROM cityops.feed_map_remove('WeatherObserved',
	'urn:ngsi-ld:WeatherObserved:t1-*', 'windSpeed')$$, 'CO001', NULL, 'removing it twice is refused');
SELECT lives_ok($$SELECT * FROM cityops.feed_map_add('WeatherObserved', 'w1', 'windSpeed',
	'fx.wind.t1', NULL)$$, 'mapped again');
SELECT is((SELECT mappings FROM cityops.indicator_retire('fx.wind.t1')), 1,
	'retiring removes its mappings');
SELECT is((SELECT count(*)::int FROM cityops.feed_mappings() WHERE indicator_id = 'fx.wind.t1'), 0,
	'a retired indicator is not fed');
RESET SESSION AUTHORIZATION;

-- ---- unmapped: noted by ingest, listed for admins ----------------------
SET SESSION AUTHORIZATION cityops_ingest;
SELECT lives_ok($$SELECT cityops.feed_unmapped_note('FillingLevelSensor', 'urn:x:1',
	'fillingLevel', NULL, 3)$$, 'ingest notes an unmapped attribute');
SELECT lives_ok($$SELECT cityops.feed_unmapped_note('FillingLevelSensor', 'urn:x:1',
	'fillingLevel', NULL, 2)$$, 'and again');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION admin_city;
SELECT is((SELECT seen::int FROM cityops.feed_unmapped() WHERE entity_id = 'urn:x:1'), 5,
	'feed unmapped lists it with its count');
RESET SESSION AUTHORIZATION;

-- ---- conflicts: listed for admins, not for officers, not by table -------
INSERT INTO cityops.reading_conflict (indicator_id, at, value, kept)
	VALUES ('fx.rain.haiwan', '2026-06-01 05:00+00', 6, 5);
SET SESSION AUTHORIZATION officer_fx;
SELECT throws_ok($$SELECT * FROM cityops.feed_conflicts()$$, 'CO002', NULL,
	'an officer cannot list conflicting readings');
SELECT is((SELECT count(*)::int FROM cityops.reading_conflict), 0,
	'nor read the table behind them (a hostile psql login: row-level security, no policy)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION admin_city;
SELECT results_eq($$SELECT value, kept, seen FROM cityops.feed_conflicts('fx.rain.haiwan')$$,
	$$VALUES (6::numeric, 5::numeric, 1::bigint)$$, 'feed conflicts lists the value beside the one kept');
RESET SESSION AUTHORIZATION;

-- ---- place: deepest region by extent, out_of_area, swapped -------------
SELECT is((SELECT region_code FROM cityops.region_at(30.919, 121.457)), '310120101-02',
	'a point in 南桥镇 lands in the deepest region containing it');
SELECT is((SELECT region_code FROM cityops.region_at(40.4168, -3.7038)), NULL,
	'Madrid is outside the city: no region, never snapped');
SELECT results_eq($$SELECT region_code, swapped FROM cityops.region_at(121.4846, 31.2317)$$,
	$$VALUES ('310101018'::text, true)$$, 'swapped latitude and longitude are detected');
SET SESSION AUTHORIZATION cityops_ingest;
SELECT throws_ok($$SELECT * FROM cityops.feed_incident('12345', 'road', 3, NULL, 'Pothole',
	NULL, NULL, 37.7749, -122.4194, 'open311:sf-1', false)$$, 'CO008',
	'out_of_area: 37.7749, -122.4194 (lat, lon) is outside the city''s bounds',
	'a San Francisco request is refused out_of_area with its coordinates');
SELECT throws_ok($$SELECT * FROM cityops.feed_incident('sensor', 'flood', 2, '110101', '暴雨',
	NULL, NULL, NULL, NULL, 'cap:bj-1', false)$$, 'CO008', NULL,
	'a Beijing GB/T 2260 geocode is out of area');
SELECT lives_ok($$SELECT * FROM cityops.feed_incident('sensor', 'flood', 2, '310120101000',
	'暴雨', NULL, NULL, NULL, NULL, 'cap:fx-1', false)$$, 'a 12-digit geocode of this city is taken');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT region_code FROM cityops.incident WHERE dedup_key = 'cap:fx-1'),
	'310120101', 'and resolves by its prefix');

-- ---- stale readings are history: no live alarm -------------------------
SET SESSION AUTHORIZATION cityops_ingest;
SELECT is((SELECT accepted FROM cityops.ingest_readings(ARRAY['fx.tide.zhelin'], ARRAY[9.9]::float8[],
	ARRAY[now() - interval '3 hours'])), 1, 'a three-hour-old tide reading is stored');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM cityops.alarm WHERE indicator_id = 'fx.tide.zhelin'
	AND value = 9.9), 0, 'but raises no live alarm (staleness 600 s)');

-- ---- categories and later words from sources ---------------------------
SELECT is(cityops.source_category_of('fiware', ARRAY['carAccident', 'traffic']), 'traffic',
	'FIWARE Alert traffic/carAccident is a traffic incident, not city_mgmt');
SELECT is(cityops.source_category_of('open311', ARRAY['Pothole', '001']), 'road',
	'Open311 service Pothole is road');
SET SESSION AUTHORIZATION cityops_ingest;
SELECT is((SELECT action FROM cityops.feed_incident_update('cap:fx-1', 'update',
	'CAP Update fx-2: 暴雨橙色预警', false, 'cap|2')), 'note', 'a CAP Update adds a timeline row');
SELECT is((SELECT action FROM cityops.feed_incident_update('cap:fx-1', 'update',
	'CAP Update fx-2: 暴雨橙色预警', false, 'cap|2')), 'replayed', 'the same update again changes nothing');
SELECT is((SELECT count(*)::int FROM cityops.feed_incident_update('cap:none', 'withdraw', 'x',
	false, 'cap|3')), 0, 'an update naming no incident changes nothing');
-- CAP Update revises the alert's incident: priority, area, expiry, one
-- timeline row each; again (a replay) nothing; unchanged fields no row.
CREATE TEMP TABLE rev AS SELECT * FROM cityops.feed_incident_revise('cap:fx-1', false, 1,
	'南桥镇及西渡街道', 30.93, 121.46, '2026-09-10 12:00+00', 'cap|4');
SELECT results_eq($$SELECT field, new_value FROM rev ORDER BY field$$,
	$$VALUES ('area', '南桥镇及西渡街道'), ('expires', '2026-09-10 20:00:00+08'), ('priority', '1')$$,
	'a CAP Update changes priority, area and expiry');
SELECT is((SELECT count(*)::int FROM cityops.feed_incident_revise('cap:fx-1', false, 1,
	'南桥镇及西渡街道', 30.93, 121.46, '2026-09-10 12:00+00', 'cap|4')), 0, 'a replayed revision changes nothing');
SELECT results_eq($$SELECT field FROM cityops.feed_incident_revise('cap:fx-1', false, 1,
	'南桥镇及西渡街道', 30.93, 121.46, '2026-09-10 14:00+00', 'cap|5')$$, $$VALUES ('expires')$$,
	'a later update moving only the expiry changes only it');
SELECT throws_ok($$SELECT * FROM cityops.feed_incident_revise('cap:fx-1', false, 7, NULL, NULL, NULL,
	NULL, 'cap|6')$$, 'CO006', 'priority 7 is not 1 to 4', 'a bad priority is refused');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT priority || '|' || location || '|' || source_expires_at FROM cityops.incident
	WHERE dedup_key = 'cap:fx-1'), '1|南桥镇及西渡街道|2026-09-10 22:00:00+08', 'the incident holds the revision');
SELECT is((SELECT count(*)::int FROM cityops.incident_event e JOIN cityops.incident i ON i.id = e.incident_id
	WHERE i.dedup_key = 'cap:fx-1' AND e.action = 'source_update'), 4,
	'one timeline row per changed field');
SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok($$SELECT * FROM cityops.feed_incident_revise('cap:fx-1', false, 2, NULL, NULL, NULL,
	NULL, 'cap|7')$$, 'CO002', NULL, 'a viewer cannot revise an incident');
RESET SESSION AUTHORIZATION;

-- ---- region import: GeoJSON with codes and parents ---------------------
SET SESSION AUTHORIZATION admin_city;
SELECT results_eq($$SELECT code, action FROM cityops.region_import('{"type":"FeatureCollection",
	"features":[{"type":"Feature","properties":{"code":"310120101-09","name":"南桥第九网格",
	"parent":"310120101","level":"grid"},"geometry":{"type":"Polygon","coordinates":[[[121.4600,30.9300],
	[121.4620,30.9300],[121.4620,30.9320],[121.4600,30.9320],[121.4600,30.9300]]]}}]}')$$,
	$$VALUES ('310120101-09', 'added')$$, 'an admin imports a grid with its polygon');
SELECT is((SELECT region_code FROM cityops.region_at(30.931, 121.461)), '310120101-09',
	'a point inside it now lands there');
SELECT throws_ok($$SELECT * FROM cityops.region_import('{"type":"FeatureCollection",
	"features":[{"type":"Feature","properties":{"code":"x1","name":"x","parent":"310120101",
	"level":"grid"},"geometry":{"type":"Point","coordinates":[121.4,30.9]}}]}')$$, 'CO006',
	'region x1: geometry must be a Polygon or MultiPolygon', 'a point is no extent');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
