-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 011: an alarm-level alarm raises one incident, once per alarm
-- episode, never for exercise indicators.
SELECT plan(11);
-- Readings must not be from the future (issue 10: more than 5 min ahead
-- is refused), so the test's times start a minute from now.
SELECT set_config('cityops_test.t0', (now() + interval '1 minute')::text, false) AS t0 \gset

-- An exercise indicator in alarm (as a drill would leave it).
INSERT INTO cityops.alarm (indicator_id, region_path, level, value, raised_at)
	SELECT id, region_path, 'alarm', 5.0, now() FROM cityops.indicator
	WHERE id = 'ex.fx.tide.jinhui';

SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok('SELECT * FROM cityops.raise_alarm_incidents()', 'CO002', NULL,
	'a viewer cannot raise incidents from alarms');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION cityops_ingest;
-- Push the tide past its alarm threshold: a new alarm episode.
SELECT lives_ok($$SELECT cityops.ingest_readings(ARRAY['fx.tide.jinhui'], ARRAY[4.8]::float8[],
	ARRAY[current_setting('cityops_test.t0')::timestamptz]::timestamptz[])$$, 'tide above the alarm threshold');
CREATE TEMP TABLE raised AS SELECT * FROM cityops.raise_alarm_incidents();
GRANT SELECT ON raised TO PUBLIC;
SELECT ok((SELECT count(*) FROM raised r JOIN cityops.alarm a ON a.id = r.alarm
	WHERE a.indicator_id = 'fx.tide.jinhui') = 1, 'the tide alarm raised an incident');
SELECT results_eq($$SELECT i.category_code, i.source, i.exercise FROM cityops.incident i
	JOIN raised r ON r.ref = i.ref JOIN cityops.alarm a ON a.id = r.alarm
	WHERE a.indicator_id = 'fx.tide.jinhui'$$,
	$$VALUES ('flood'::text, 'sensor'::text, false)$$, 'a flood incident from a sensor');
SELECT is((SELECT count(*)::int FROM raised r JOIN cityops.alarm a ON a.id = r.alarm
	WHERE a.indicator_id LIKE 'ex.%'), 0, 'no real incident for an exercise indicator');
SELECT is((SELECT count(*)::int FROM cityops.raise_alarm_incidents()), 0,
	'asked again, nothing more is raised');
RESET SESSION AUTHORIZATION;

-- People close the incident while the tide is still high: no new one.
SET SESSION AUTHORIZATION super_city;
SELECT lives_ok($$SELECT cityops.incident_act((SELECT r.ref FROM raised r JOIN cityops.alarm a
	ON a.id = r.alarm WHERE a.indicator_id = 'fx.tide.jinhui'), 'cancel', '已处置', NULL)$$,
	'the incident is cancelled');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION cityops_ingest;
SELECT is((SELECT count(*)::int FROM cityops.raise_alarm_incidents()), 0,
	'one alarm episode raises one incident');
-- The tide falls and rises again: a new episode, a new incident.
SELECT lives_ok($$SELECT cityops.ingest_readings(ARRAY['fx.tide.jinhui'], ARRAY[3.0]::float8[],
	ARRAY[current_setting('cityops_test.t0')::timestamptz + interval '1 minute']::timestamptz[])$$, 'the tide falls');
SELECT lives_ok($$SELECT cityops.ingest_readings(ARRAY['fx.tide.jinhui'], ARRAY[4.9]::float8[],
	ARRAY[current_setting('cityops_test.t0')::timestamptz + interval '2 minutes']::timestamptz[])$$, 'and rises again');
SELECT is((SELECT count(*)::int FROM cityops.raise_alarm_incidents() r
	JOIN cityops.alarm a ON a.id = r.alarm WHERE a.indicator_id = 'fx.tide.jinhui'), 1,
	'a new alarm episode raises a new incident');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
