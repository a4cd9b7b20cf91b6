-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 8, the database side (migration 014), defects 2, 6 and 8: the
-- clock cannot be forged for real rows, unit_card is scoped, out of scope
-- reads exactly as missing, and text has limits. docs/security.md points
-- here.
BEGIN;
SELECT plan(48);
-- pgTAP keeps its bookkeeping in temp tables of the session owner; the
-- operators we impersonate must be able to write them.
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA pg_temp TO PUBLIC;

-- ======================================================================
-- Fixtures: refs, a 黄浦 alarm, a 黄浦 viewer (the demo has only a
-- city-wide one), and a 奉贤 unit working on a 黄浦 incident.
CREATE ROLE trust_viewer_hp LOGIN;
GRANT cityops_user TO trust_viewer_hp;
INSERT INTO cityops.operator (login, display_name, role, scope_code)
	VALUES ('trust_viewer_hp', '黄浦观察员', 'viewer', '310101');

CREATE TEMP TABLE fx AS
	SELECT (SELECT ref FROM cityops.incident WHERE title = '外滩人流密集') AS hp_ref,
		(SELECT id FROM cityops.incident WHERE title = '外滩人流密集') AS hp_id,
		(SELECT ref FROM cityops.incident WHERE title = '小区停电') AS fx_ref,
		(SELECT ref FROM cityops.incident WHERE title = '沿街商铺冒烟') AS hp_fire_ref,
		(SELECT id FROM cityops.unit WHERE callsign = 'FX-F01') AS fx_f01,
		(SELECT id FROM cityops.unit WHERE callsign = 'FX-W01') AS fx_w01,
		(SELECT id FROM cityops.unit WHERE callsign = 'HP-F02') AS hp_f02,
		(SELECT min(a.id) FROM cityops.alarm a WHERE a.region_path ~ '310000.310101.*') AS hp_alarm,
		(SELECT count(*) FROM cityops.incident) AS n_incidents,
		(SELECT count(*) FROM cityops.incident_event) AS n_events;
GRANT SELECT ON fx TO PUBLIC;
SELECT ok((SELECT hp_ref IS NOT NULL AND fx_ref IS NOT NULL AND hp_fire_ref IS NOT NULL
	AND fx_f01 IS NOT NULL AND fx_w01 IS NOT NULL AND hp_f02 IS NOT NULL AND hp_alarm IS NOT NULL FROM fx),
	'fixtures: the demo incidents, units and a 黄浦 alarm exist');

SET SESSION AUTHORIZATION super_city;
SELECT is((SELECT to_state FROM cityops.incident_act((SELECT hp_fire_ref FROM fx), 'dispatch', NULL,
	ARRAY['FX-F01'])), 'dispatched', 'fixtures: a city supervisor sends 奉贤''s FX-F01 to a 黄浦 fire');
RESET SESSION AUTHORIZATION;

-- The SQLSTATE, message and hint a statement raises, with p_name replaced
-- by <name>: what a caller can learn from the error.
CREATE FUNCTION pg_temp.err(p_sql text, p_name text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_state text; v_msg text; v_hint text;
BEGIN
	EXECUTE p_sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
	RETURN v_state || ': ' || replace(v_msg, p_name, '<name>') || ' | ' || coalesce(replace(v_hint, p_name, '<name>'), '');
END
$$;


-- ======================================================================
-- The clock (defect 2).
SET SESSION AUTHORIZATION officer_fx;
SET cityops.clock_offset = '-100 days';
SELECT is(cityops.now(), now(), 'clock: an ordinary session''s offset is ignored');
SELECT is((SELECT to_state FROM cityops.incident_act((SELECT fx_ref FROM fx), 'ack')),
	'acknowledged', 'clock: officer_fx acknowledges with the offset set');
SELECT is((SELECT to_state FROM cityops.incident_act((SELECT fx_ref FROM fx), 'note', '时钟测试')),
	'acknowledged', 'clock: and notes');
SELECT is(ARRAY(SELECT at FROM cityops.incident_timeline((SELECT fx_ref FROM fx))
		WHERE action IN ('ack', 'note')), ARRAY[now(), now()],
	'clock: the real ack and note are stored at real time');
SELECT is(ARRAY(SELECT at FROM cityops.audit WHERE actor = 'officer_fx'
		AND action IN ('incident.ack', 'incident.note') AND object = (SELECT fx_ref FROM fx)),
	ARRAY[now(), now()],
	'clock: so are their audit rows');
CREATE TEMP TABLE clock_raise AS
	SELECT ref FROM cityops.incident_raise('flood', 2, '南桥镇', '时钟测试积水', '', '', '12345', NULL, false);
GRANT SELECT ON clock_raise TO PUBLIC;
SELECT is((SELECT created_at FROM cityops.incident WHERE ref = (SELECT ref FROM clock_raise)), now(),
	'clock: a real incident raised with the offset set is created at real time');
SELECT ok((SELECT ack_due > now() FROM cityops.incident WHERE ref = (SELECT ref FROM clock_raise)),
	'clock: and its SLA deadline is in the future, not 100 days back');
RESET cityops.clock_offset;
RESET SESSION AUTHORIZATION;

-- A fenced drill session still moves its clock, for exercise rows only;
-- a real audit row it writes carries real time.
SET SESSION AUTHORIZATION super_fx;
CREATE TEMP TABLE clock_run AS SELECT id FROM cityops.drill_start('trust-clock', '时钟演练', 1);
SELECT set_config('cityops.drill', (SELECT id::text FROM clock_run), false);
SET cityops.clock_offset = '-100 days';
SELECT is(cityops.now(), now() - interval '100 days', 'clock: a fenced drill session moves its clock');
CREATE TEMP TABLE clock_ex AS
	SELECT ref FROM cityops.incident_raise('flood', 2, '南桥镇', '【演练】时钟', '', '', 'sensor', NULL, true);
SELECT is((SELECT created_at FROM cityops.incident WHERE ref = (SELECT ref FROM clock_ex)),
	now() - interval '100 days', 'clock: an exercise incident takes the drill''s time');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, %L)', (SELECT ref FROM clock_raise),
	'note', 'x'), 'CO003', NULL, 'clock: the fenced session cannot write on a real incident');
SELECT is((SELECT state FROM cityops.drill_finish((SELECT id FROM clock_run), 'passed', cityops.now(),
	0, 0, '{}')), 'passed', 'clock: the fenced director finishes the run');
RESET cityops.clock_offset;
RESET cityops.drill;
RESET SESSION AUTHORIZATION;
SELECT is((SELECT at FROM cityops.audit WHERE action = 'drill.finish'
		AND object = (SELECT id::text FROM clock_run)), now(),
	'clock: the real audit row of a fenced session is at real time');

-- The owner writing history directly gets real time too, unless its
-- transaction holds a clock grant (the demo seed's way).
INSERT INTO cityops.audit (at, actor, action) VALUES (now() - interval '100 days', 'postgres', 'trust.test');
SELECT is((SELECT at FROM cityops.audit WHERE action = 'trust.test'), now(),
	'clock: a backdated real audit row is put back to real time');
SELECT ok((SELECT min(created_at) FROM cityops.incident WHERE NOT exercise) < now() - interval '20 hours'
	AND (SELECT min(at) FROM cityops.incident_event) < now() - interval '20 hours',
	'clock: the demo seed''s history is still backdated (through its clock grant)');

-- ======================================================================
-- unit_card is scoped (defect 6).
SET SESSION AUTHORIZATION trust_viewer_hp;
SELECT is((SELECT callsign FROM cityops.unit_card((SELECT fx_w01 FROM fx))), NULL,
	'unit_card: a 黄浦 viewer cannot read a 奉贤 unit by id');
SELECT is((SELECT callsign FROM cityops.unit_card((SELECT hp_f02 FROM fx))), 'HP-F02',
	'unit_card: it reads its own district''s unit');
SELECT is((SELECT callsign FROM cityops.unit_card((SELECT fx_f01 FROM fx))), 'FX-F01',
	'unit_card: and a 奉贤 unit working on a 黄浦 incident');
SELECT is((SELECT count(*)::int FROM generate_series(1, 5000) u(id), cityops.unit_card(u.id) c
	WHERE c.callsign IS NOT NULL
	AND c.callsign NOT LIKE 'HP-%' AND c.callsign NOT LIKE 'EX-HP-%' AND c.callsign <> 'FX-F01'), 0,
	'unit_card: no other unit of the city, whatever the id');
SELECT is((SELECT units FROM cityops.queue(p_limit => 1000) WHERE ref = (SELECT hp_fire_ref FROM fx)),
	'FX-F01', 'unit_card: the queue still names the cross-district unit');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT callsign FROM cityops.unit_card((SELECT hp_f02 FROM fx))), NULL,
	'unit_card: a 奉贤 officer cannot read a 黄浦 unit by id');
RESET SESSION AUTHORIZATION;

-- ======================================================================
-- Out of scope reads exactly as missing (defect 8): same SQLSTATE, same message
-- and hint once the name asked for is taken out.
SET SESSION AUTHORIZATION officer_fx;
SELECT is(pg_temp.err(format('SELECT * FROM cityops.incident_act(%L, %L)', (SELECT hp_ref FROM fx), 'ack'),
		(SELECT hp_ref FROM fx)),
	pg_temp.err($$SELECT * FROM cityops.incident_act('991231-9999', 'ack')$$, '991231-9999'),
	'missing: ack of a 黄浦 incident by ref reads as a missing one');
SELECT is(pg_temp.err(format('SELECT * FROM cityops.incident_act(%L, %L)', (SELECT hp_id FROM fx), 'ack'),
		(SELECT hp_id::text FROM fx)),
	pg_temp.err($$SELECT * FROM cityops.incident_act('999999999', 'ack')$$, '999999999'),
	'missing: ack of a 黄浦 incident by id reads as a missing one');
SELECT is(pg_temp.err(format('SELECT * FROM cityops.incident_act(%L, %L, %L)', (SELECT hp_ref FROM fx),
		'escalate', 'x'), (SELECT hp_ref FROM fx)),
	pg_temp.err($$SELECT * FROM cityops.incident_act('991231-9999', 'escalate', 'x')$$, '991231-9999'),
	'missing: escalate of a 黄浦 incident reads as a missing one');
SELECT is(pg_temp.err(format('SELECT * FROM cityops.incident_get(%L)', (SELECT hp_ref FROM fx)),
		(SELECT hp_ref FROM fx)),
	pg_temp.err($$SELECT * FROM cityops.incident_get('991231-9999')$$, '991231-9999'),
	'missing: show of a 黄浦 incident reads as a missing one');
SELECT is(pg_temp.err(format('SELECT * FROM cityops.incident_timeline(%L)', (SELECT hp_ref FROM fx)),
		(SELECT hp_ref FROM fx)),
	pg_temp.err($$SELECT * FROM cityops.incident_timeline('991231-9999')$$, '991231-9999'),
	'missing: the timeline of a 黄浦 incident reads as a missing one');
SELECT is(pg_temp.err($$SELECT * FROM cityops.unit_set_status('HP-F02', 'out_of_service', 'x')$$, 'HP-F02'),
	pg_temp.err($$SELECT * FROM cityops.unit_set_status('HP-Z99', 'out_of_service', 'x')$$, 'HP-Z99'),
	'missing: unit-status of a 黄浦 unit reads as a missing one');
SELECT is(pg_temp.err($$SELECT * FROM cityops.unit_get('HP-F02')$$, 'HP-F02'),
	pg_temp.err($$SELECT * FROM cityops.unit_get('HP-Z99')$$, 'HP-Z99'),
	'missing: unit of a 黄浦 unit reads as a missing one');
SELECT is(pg_temp.err(format('SELECT * FROM cityops.alarm_ack(%s, NULL)', (SELECT hp_alarm FROM fx)),
		(SELECT hp_alarm::text FROM fx)),
	pg_temp.err($$SELECT * FROM cityops.alarm_ack(999999999, NULL)$$, '999999999'),
	'missing: acknowledging a 黄浦 alarm reads as a missing one');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION super_fx;
SELECT is(pg_temp.err(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', (SELECT fx_ref FROM fx),
		'dispatch', '{HP-F02}'), 'HP-F02'),
	pg_temp.err(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', (SELECT fx_ref FROM fx),
		'dispatch', '{HP-Z99}'), 'HP-Z99'),
	'missing: dispatching a 黄浦 unit reads as a missing unit');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', (SELECT fx_ref FROM fx),
	'dispatch', '{FX-F01}'), 'CO005', 'unit FX-F01 is on an incident outside your scope',
	'missing: a unit busy on a hidden incident does not name it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION officer_fx;
SELECT throws_ok($$SELECT * FROM cityops.unit_set_status('FX-F01', 'available', NULL)$$, 'CO005',
	'unit FX-F01 is on an incident outside your scope',
	'missing: nor does unit-status of that unit');
SELECT throws_ok($$SELECT * FROM cityops.incident_raise('crowd', 2, '南桥镇', '人多', '', '', 'officer',
	'crowd:bund', false)$$, 'CO006', 'dedup key crowd:bund is taken outside your scope',
	'missing: a dedup key never merges into a hidden incident');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM cityops.incident_event
		WHERE incident_id = (SELECT hp_id FROM fx) AND action = 'merge'), 0,
	'missing: and writes nothing on it');

-- ======================================================================
-- Text lengths, in characters (defect 8) (a 200-character Chinese title is 600
-- bytes and fine).
CREATE TEMP TABLE counts AS SELECT (SELECT count(*) FROM cityops.incident) AS n_inc,
	(SELECT count(*) FROM cityops.incident_event) AS n_ev, (SELECT count(*) FROM cityops.audit) AS n_audit,
	(SELECT count(*) FROM cityops.mode) AS n_mode;
GRANT SELECT ON counts TO PUBLIC;
SET SESSION AUTHORIZATION super_fx;
SELECT throws_ok(format($$SELECT * FROM cityops.incident_raise('flood', 2, '南桥镇', %L)$$, repeat('积', 201)),
	'CO006', 'title is too long: 201 characters, at most 200', 'length: a 201-character title is refused');
SELECT throws_ok(format($$SELECT * FROM cityops.incident_raise('flood', 2, '南桥镇', '积水', %L)$$,
	repeat('路', 201)), 'CO006', 'location is too long: 201 characters, at most 200',
	'length: a 201-character location is refused');
SELECT throws_ok(format($$SELECT * FROM cityops.incident_raise('flood', 2, '南桥镇', '积水', '', %L)$$,
	repeat('述', 4001)), 'CO006', 'description is too long: 4001 characters, at most 4000',
	'length: a 4001-character description is refused');
SELECT throws_ok(format($$SELECT * FROM cityops.incident_raise('flood', 2, '南桥镇', %L)$$, repeat('x', 1200000)),
	'CO006', 'title is too long: 1200000 characters, at most 200', 'length: a 1.2 MB title is refused');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, %L)', (SELECT fx_ref FROM fx), 'note',
	repeat('注', 2001)), 'CO006', 'note is too long: 2001 characters, at most 2000',
	'length: a 2001-character timeline note is refused');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, %L)', (SELECT fx_ref FROM fx), 'unfounded',
	repeat('因', 2001)), 'CO006', 'reason is too long: 2001 characters, at most 2000',
	'length: a 2001-character reason is refused');
SELECT throws_ok(format('SELECT * FROM cityops.mode_set(%L, NULL, NULL, %L)', 'peace', repeat('因', 2001)),
	'CO006', 'reason is too long: 2001 characters, at most 2000', 'length: a 2001-character mode reason is refused');
SELECT throws_ok(format('SELECT * FROM cityops.unit_set_status(%L, %L, %L)', 'FX-F02', 'out_of_service',
	repeat('注', 2001)), 'CO006', 'note is too long: 2001 characters, at most 2000',
	'length: a 2001-character unit status note is refused');
SELECT throws_ok(format('SELECT * FROM cityops.alarm_ack(1, %L)', repeat('注', 2001)),
	'CO006', 'note is too long: 2001 characters, at most 2000', 'length: a 2001-character alarm note is refused');
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT n_inc = (SELECT count(*) FROM cityops.incident)
		AND n_ev = (SELECT count(*) FROM cityops.incident_event)
		AND n_audit = (SELECT count(*) FROM cityops.audit)
		AND n_mode = (SELECT count(*) FROM cityops.mode) FROM counts),
	'length: the refused writes changed nothing');
SET SESSION AUTHORIZATION super_fx;
SELECT is((SELECT merged FROM cityops.incident_raise('flood', 2, '南桥镇', repeat('积', 200), repeat('路', 200),
	repeat('述', 4000))), false, 'length: exactly at every limit is accepted');
SELECT is((SELECT to_state FROM cityops.incident_act((SELECT fx_ref FROM fx), 'note', repeat('注', 2000))),
	'acknowledged', 'length: a 2000-character note is accepted');
RESET SESSION AUTHORIZATION;

SELECT is((SELECT count(*)::int FROM cityops.clock_grant), 0, 'clock: the seed left no clock grant behind');

SELECT * FROM finish();
ROLLBACK;
