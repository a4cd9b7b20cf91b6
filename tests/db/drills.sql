-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 008: exercise resources stay out of real views, a drill's
-- fenced sessions cannot touch real data, and drill_clear is the one way
-- exercise history leaves the append-only tables — real history never does.
SELECT plan(35);

-- ------------------------------------------------------------------------
-- Exercise resources exist (sql/seed/drills.sql) and real views leave them out.
SET SESSION AUTHORIZATION super_city;
SELECT ok((SELECT count(*) FROM cityops.units(p_exercise => true) WHERE callsign LIKE 'EX-%') >= 20,
	'the exercise unit pool is visible to exercise views');
SELECT is((SELECT count(*)::int FROM cityops.units(p_exercise => false) WHERE callsign LIKE 'EX-%'), 0,
	'real unit lists leave exercise units out');
SELECT is((SELECT count(*)::int FROM cityops.units(p_status => 'available', p_exercise => false)
	WHERE callsign LIKE 'EX-%'), 0, 'real availability leaves exercise units out');
SELECT is((SELECT count(*)::int FROM cityops.vitals(p_limit => 1000) WHERE indicator_id LIKE 'ex.%'), 0,
	'real vital signs leave exercise indicators out');
SELECT ok((SELECT count(*) FROM cityops.drill_vitals() WHERE indicator_id LIKE 'ex.%') >= 10,
	'drill_vitals shows them');
RESET SESSION AUTHORIZATION;

-- A real incident to try things on.
SET SESSION AUTHORIZATION super_fx;
CREATE TEMP TABLE real_inc AS
	SELECT ref FROM cityops.incident_raise('flood', 2, '南桥镇', '真实积水', '', '', '12345', NULL, false);
GRANT SELECT ON real_inc TO PUBLIC;  -- the other operators below read it
SELECT is((SELECT count(*)::int FROM cityops.recommend((SELECT ref FROM real_inc), 100)
	WHERE callsign LIKE 'EX-%'), 0, 'a real incident is never recommended an exercise unit');
SELECT throws_ok($$SELECT cityops.incident_act((SELECT ref FROM real_inc), 'dispatch', NULL,
	ARRAY['EX-FX-D01'])$$, 'CO006', NULL, 'an exercise unit cannot serve a real incident');
RESET SESSION AUTHORIZATION;
-- What real history looks like before the drill (as the owner: no RLS).
CREATE TEMP TABLE snap AS SELECT
	(SELECT count(*) FROM cityops.incident_event e JOIN cityops.incident i ON i.id = e.incident_id
		WHERE NOT i.exercise) AS real_events,
	(SELECT count(*) FROM cityops.audit WHERE NOT exercise) AS real_audit;

-- ------------------------------------------------------------------------
-- A drill run, its fenced session and what the fence refuses.
SET SESSION AUTHORIZATION officer_fx;
SELECT throws_ok($$SELECT cityops.drill_start('t', 'x', 1)$$, 'CO002', NULL,
	'an officer cannot run a drill');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION super_fx;
CREATE TEMP TABLE run AS SELECT id FROM cityops.drill_start('pgtap-drill', '测试演练', 60);
GRANT SELECT ON run TO PUBLIC;
SELECT set_config('cityops.drill', (SELECT id::text FROM run), false);
SELECT throws_ok($$SELECT cityops.incident_raise('flood', 2, '南桥镇', '非演练', '', '', '12345',
	NULL, false)$$, 'CO003', NULL, 'a drill session cannot raise a real incident');
SELECT throws_ok($$SELECT cityops.incident_act((SELECT ref FROM real_inc), 'ack')$$, 'CO003', NULL,
	'a drill session cannot act on a real incident');
SELECT throws_ok($$INSERT INTO cityops.mode (mode, reason, set_by) VALUES ('peace', 'x', 'x')$$,
	NULL, NULL, 'a drill session cannot write the real mode (drill_mode.sql tests its own mode)');
SELECT throws_ok($$SELECT cityops.unit_set_status('FX-F01', 'out_of_service', 'x')$$, 'CO003', NULL,
	'a drill session cannot change a real unit');
CREATE TEMP TABLE ex_inc AS
	SELECT ref FROM cityops.incident_raise('flood', 2, '南桥镇', '演练积水', '', '', '12345', NULL, true);
GRANT SELECT ON ex_inc TO PUBLIC;
SELECT is((SELECT drill_run FROM cityops.incident WHERE ref = (SELECT ref FROM ex_inc)),
	(SELECT id FROM run), 'an exercise incident is tagged with its run');
SELECT throws_ok($$SELECT cityops.incident_act((SELECT ref FROM ex_inc), 'dispatch', NULL,
	ARRAY['FX-D01'])$$, 'CO003', NULL, 'a drill session cannot dispatch a real unit');
SELECT lives_ok($$SELECT cityops.incident_act((SELECT ref FROM ex_inc), 'ack')$$,
	'it acts on its exercise incident');
SELECT lives_ok($$SELECT cityops.incident_act((SELECT ref FROM ex_inc), 'dispatch', NULL,
	ARRAY['EX-FX-D01'])$$, 'and dispatches exercise units');
SELECT is((SELECT status FROM cityops.units(p_exercise => true) WHERE callsign = 'EX-FX-D01'),
	'dispatched', 'the exercise unit is busy on the exercise side');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION cityops_ingest;
SELECT set_config('cityops.drill', (SELECT id::text FROM run), false);
SELECT throws_ok($$SELECT cityops.ingest_readings(ARRAY['fx.tide.jinhui'], ARRAY[5.0]::float8[],
	ARRAY[cityops.now()])$$, 'CO003', NULL, 'a drill session cannot feed a real indicator');
SELECT results_eq($$SELECT accepted FROM cityops.ingest_readings(ARRAY['ex.fx.tide.jinhui'],
	ARRAY[4.8]::float8[], ARRAY[cityops.now()])$$, $$VALUES (1)$$,
	'it feeds an exercise indicator');
SELECT set_config('cityops.drill', '', false);
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION super_city;
SELECT is((SELECT count(*)::int FROM cityops.alarms(p_open => false) WHERE indicator_id LIKE 'ex.%'), 0,
	'real alarm lists leave exercise alarms out');
SELECT is((SELECT count(*)::int FROM cityops.region_children('310000')
	WHERE worst_indicator LIKE 'ex.%'), 0, 'region rollups leave exercise indicators out');
SELECT is((SELECT count(*)::int FROM cityops.queue(p_limit => 1000) WHERE ref = (SELECT ref FROM ex_inc)), 0,
	'the real queue leaves the exercise incident out');
SELECT is((SELECT count(*)::int FROM cityops.queue(p_exercise => true, p_limit => 1000)
	WHERE ref = (SELECT ref FROM ex_inc)), 1, 'the exercise queue shows it');
SELECT is((SELECT ack_by || ' ' || units FROM cityops.drill_incidents((SELECT id FROM run))),
	'super_fx EX-FX-D01', 'drill_incidents reports who did what');
SELECT ok((SELECT alarm_s IS NOT NULL FROM cityops.drill_alarm((SELECT id FROM run), 'ex.fx.tide.jinhui')),
	'drill_alarm sees the threshold crossed');
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------------------
-- Append-only, except through drill_clear for exercise rows.
SELECT throws_ok($$DELETE FROM cityops.incident_event WHERE incident_id =
	(SELECT id FROM cityops.incident WHERE ref = (SELECT ref FROM ex_inc))$$, '42501', NULL,
	'exercise timeline rows cannot be deleted directly');
SET cityops.drill_clearing = 'on';
SELECT throws_ok($$DELETE FROM cityops.incident_event WHERE incident_id =
	(SELECT id FROM cityops.incident WHERE ref = (SELECT ref FROM real_inc))$$, '42501',
	'cityops.incident_event is append-only; delete is not allowed',
	'even with the clearing marker forged, real timeline rows stay');
SELECT throws_ok($$DELETE FROM cityops.audit WHERE NOT exercise$$, '42501', NULL,
	'and real audit rows stay');
RESET cityops.drill_clearing;

SET SESSION AUTHORIZATION super_fx;
SELECT throws_ok($$SELECT cityops.drill_clear('pgtap-drill')$$, 'CO004', NULL,
	'a running drill is not cleared');
SELECT lives_ok($$SELECT cityops.drill_finish((SELECT id FROM run), 'passed', cityops.now(), 1, 0, '{}')$$,
	'the run finishes');
SELECT results_eq($$SELECT * FROM cityops.drill_clear('pgtap-drill')$$, $$VALUES (1, 3)$$,
	'drill_clear removes the incident and its timeline');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM cityops.incident WHERE ref = (SELECT ref FROM ex_inc)), 0,
	'the exercise incident is gone');
SELECT is((SELECT status FROM cityops.unit WHERE callsign = 'EX-FX-D01'), 'available',
	'its exercise unit is free again');
SELECT is((SELECT count(*)::int FROM cityops.reading r JOIN cityops.indicator i ON i.id = r.indicator_id
	WHERE i.exercise), 0, 'the drill''s readings are gone');
SELECT results_eq($$SELECT
	(SELECT count(*) FROM cityops.incident_event e JOIN cityops.incident i ON i.id = e.incident_id
		WHERE NOT i.exercise),
	(SELECT count(*) FROM cityops.audit WHERE NOT exercise AND action NOT LIKE 'drill.%')$$,
	$$SELECT real_events, real_audit FROM snap$$, 'real timeline and audit are untouched');

SELECT * FROM finish();
