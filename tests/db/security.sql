-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Roles, scope (RLS and the write checks), argument checks, direct table
-- writes, and the append-only history.
BEGIN;
SELECT plan(51);
-- pgTAP keeps its bookkeeping in temp tables of the session owner; the
-- operators we impersonate must be able to write them.
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA pg_temp TO PUBLIC;

-- Fixtures: one 黄浦 and one 奉贤 incident, refs kept for the messages.
CREATE TEMP TABLE fx AS
	SELECT (SELECT ref FROM cityops.incident WHERE title = '外滩人流密集') AS hp_ref,
		(SELECT ref FROM cityops.incident WHERE title = '小区停电') AS fx_ref,
		(SELECT ref FROM cityops.incident WHERE title = '南桥镇积水') AS busy_ref;
GRANT SELECT ON fx TO PUBLIC;
CREATE FUNCTION pg_temp.ref(p text) RETURNS text LANGUAGE sql AS
	$$ SELECT CASE p WHEN 'hp' THEN hp_ref WHEN 'fx' THEN fx_ref ELSE busy_ref END FROM fx $$;

-- ---------------------------------------------------------------- officer_fx
SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT role || ' ' || scope_name FROM cityops.whoami()), 'officer 奉贤区', 'whoami');
SELECT is((SELECT count(*) FROM cityops.queue(p_all => true, p_limit => 1000)
	WHERE region_code NOT LIKE '310120%'), 0::bigint, 'officer_fx queue holds only 奉贤 incidents');
SELECT ok((SELECT count(*) FROM cityops.queue(p_all => true, p_limit => 1000)) > 5,
	'officer_fx sees the 奉贤 incidents');
SELECT is((SELECT count(*) FROM cityops.incident WHERE region_code LIKE '310101%'), 0::bigint,
	'RLS: no 黄浦 rows in the incident table');
SELECT is((SELECT count(*) FROM cityops.incident_event WHERE region_path ~ '310000.310101.*'), 0::bigint,
	'RLS: no 黄浦 timeline rows');
SELECT is((SELECT count(*) FROM cityops.unit WHERE callsign LIKE 'HP-%'), 0::bigint,
	'RLS: no 黄浦 units');
SELECT throws_ok(format('SELECT * FROM cityops.incident_get(%L)', pg_temp.ref('hp')), 'CO001',
	format('no incident %s', pg_temp.ref('hp')), 'an out-of-scope incident is not found on read');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L)', pg_temp.ref('hp'), 'ack'),
	'CO001', format('no incident %s', pg_temp.ref('hp')),
	'acting on a 黄浦 incident reads as not found (issue 8)');
SELECT throws_ok($$SELECT * FROM cityops.incident_raise('flood', 2, '黄浦', '积水', '', '', 'officer', NULL, false)$$,
	'CO003', '黄浦区 is outside your scope 奉贤区', 'raising in 黄浦 is out of scope');
SELECT throws_ok($$SELECT * FROM cityops.indicator_history('hp.crowd.bund', 24)$$, 'CO001',
	'no indicator hp.crowd.bund', 'out-of-scope indicator history is not found');
SELECT is((SELECT count(*) FROM cityops.vitals(NULL, NULL, 1000) WHERE indicator_id LIKE 'hp.%'), 0::bigint,
	'vitals hold no 黄浦 indicators');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', pg_temp.ref('fx'),
	'dispatch', '{FX-E01}'), 'CO002', 'dispatch needs role supervisor; you are officer',
	'an officer cannot dispatch');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L)', pg_temp.ref('fx'), 'cancel'),
	'CO002', 'cancel needs role supervisor; you are officer', 'an officer cannot cancel');
SELECT is((SELECT to_state FROM cityops.incident_act(pg_temp.ref('fx'), 'ack')), 'acknowledged',
	'an officer acknowledges in scope');
SELECT is((SELECT actor::text FROM cityops.incident_timeline(pg_temp.ref('fx')) WHERE action = 'ack'),
	'officer_fx', 'the timeline names the acting operator');
SELECT is((SELECT allowed FROM cityops.incident_get(pg_temp.ref('fx'))), 'unfounded, escalate, note',
	'allowed lists what an officer may do from acknowledged');

-- Arguments (CO006).
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, %L)', pg_temp.ref('fx'), 'unfounded', ' '),
	'CO006', 'unfounded needs a reason', 'unfounded needs a reason');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L)', pg_temp.ref('fx'), 'note'),
	'CO006', 'note needs a text', 'note needs a text');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L)', pg_temp.ref('fx'), 'fly'),
	'CO006', 'unknown action fly', 'unknown action');
SELECT throws_ok($$SELECT * FROM cityops.incident_raise('flood', 5, '奉贤', '积水', '', '', 'officer', NULL, false)$$,
	'CO006', 'priority must be 1 to 4', 'priority out of range');
SELECT throws_ok($$SELECT * FROM cityops.incident_raise('meteor', 2, '奉贤', '陨石', '', '', 'officer', NULL, false)$$,
	'CO006', 'unknown category meteor', 'unknown category');
SELECT throws_ok($$SELECT * FROM cityops.incident_raise('flood', 2, '奉贤', '积水', '', '', 'wechat', NULL, false)$$,
	'CO006', 'unknown source wechat', 'unknown source');
SELECT throws_ok($$SELECT * FROM cityops.incident_raise('flood', 2, '火星', '积水', '', '', 'officer', NULL, false)$$,
	'CO001', 'no region 火星', 'unknown region');
SELECT throws_ok($$SELECT * FROM cityops.mode_set('emergency', 'II', '防汛防台', '台风')$$,
	'CO002', 'mode needs role supervisor; you are officer', 'an officer cannot switch mode');

-- Units.
SELECT throws_ok($$SELECT * FROM cityops.unit_set_status('FX-D01', 'available', NULL)$$, 'CO005',
	format('unit FX-D01 is on incident %s (dispatched by super_fx)', pg_temp.ref('busy')),
	'a unit on an incident cannot be set available directly');
SELECT throws_ok($$SELECT * FROM cityops.unit_set_status('FX-F01', 'on_scene', NULL)$$, 'CO006',
	'status on_scene cannot be set directly', 'on_scene follows the incident');
SELECT throws_ok($$SELECT * FROM cityops.unit_set_status('HP-F01', 'out_of_service', NULL)$$, 'CO001',
	'no unit HP-F01', 'an out-of-scope unit cannot be changed, and reads as not found');
SELECT is((SELECT from_status || '→' || to_status FROM cityops.unit_set_status('fx-f01', 'out_of_service', '保养')),
	'available→out_of_service', 'an officer takes a unit out of service (call sign any case)');

-- Direct writes are refused (no privileges, whatever RLS says).
SELECT throws_ok($$INSERT INTO cityops.mode (mode, reason, set_by) VALUES ('peace', 'x', 'officer_fx')$$,
	'42501', NULL, 'no INSERT on tables');
SELECT throws_ok($$UPDATE cityops.incident SET state = 'closed'$$, '42501', NULL, 'no UPDATE on incident');
SELECT throws_ok($$UPDATE cityops.unit SET status = 'available'$$, '42501', NULL, 'no UPDATE on unit');
SELECT throws_ok($$DELETE FROM cityops.incident_event$$, '42501', NULL, 'no DELETE on the timeline');
SELECT throws_ok($$INSERT INTO cityops.audit (actor, action) VALUES ('x', 'y')$$, '42501', NULL,
	'no INSERT on audit');
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- others
SET SESSION AUTHORIZATION super_fx;
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', pg_temp.ref('fx'),
	'dispatch', '{FX-E01,HP-E01}'), 'CO001', 'no unit HP-E01',
	'a district supervisor cannot dispatch another district''s unit');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', pg_temp.ref('fx'),
	'dispatch', '{}'), 'CO006', 'dispatch needs at least one unit', 'dispatch needs a unit');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', pg_temp.ref('fx'),
	'dispatch', '{FX-X99}'), 'CO001', 'no unit FX-X99', 'unknown unit');
SELECT throws_ok($$SELECT * FROM cityops.mode_set('emergency', NULL, '防汛防台', '台风')$$, 'CO006',
	'emergency mode needs a level', 'emergency needs a level');
SELECT throws_ok($$SELECT * FROM cityops.mode_set('war', NULL, NULL, 'x')$$, 'CO006',
	'unknown mode war', 'unknown mode');
SELECT is((SELECT mode || ' ' || level FROM cityops.mode_set('emergency', 'iv', '防汛防台', '台风“海葵”逼近')),
	'emergency IV', 'a supervisor switches to emergency IV');
SELECT is((SELECT mode || ' ' || level || ' ' || kind || ' ' || set_by FROM cityops.mode_get()),
	'emergency IV 防汛防台 super_fx', 'mode_get shows the new mode and who set it');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION viewer_wall;
SELECT ok((SELECT count(DISTINCT substr(region_code, 1, 6)) FROM cityops.queue(p_limit => 1000)) >= 2,
	'the wall viewer reads incidents of several districts');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, %L)', pg_temp.ref('hp'), 'note', 'x'),
	'CO002', 'note needs role officer; you are viewer', 'the viewer cannot even note');
SELECT throws_ok($$SELECT * FROM cityops.incident_raise('flood', 2, '奉贤', '积水', '', '', 'officer', NULL, false)$$,
	'CO002', 'raise needs role officer; you are viewer', 'the viewer cannot raise');
RESET SESSION AUTHORIZATION;

DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_test_stranger') THEN
		CREATE ROLE cityops_test_stranger LOGIN IN ROLE cityops_user;
	END IF;
END $$;
SET SESSION AUTHORIZATION cityops_test_stranger;
SELECT throws_ok($$SELECT * FROM cityops.whoami()$$, 'CO007',
	'login cityops_test_stranger is not a cityops operator', 'a login that is not an operator');
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- history
-- Append-only even for the superuser who owns the tables.
SELECT throws_ok($$UPDATE cityops.incident_event SET note = 'x'$$, '42501',
	'cityops.incident_event is append-only; update is not allowed', 'timeline: no UPDATE, even superuser');
SELECT throws_ok($$DELETE FROM cityops.incident_event$$, '42501',
	'cityops.incident_event is append-only; delete is not allowed', 'timeline: no DELETE, even superuser');
SELECT throws_ok($$TRUNCATE cityops.incident_event CASCADE$$, '42501',
	'cityops.incident_event is append-only; truncate is not allowed', 'timeline: no TRUNCATE');
SELECT throws_ok($$UPDATE cityops.audit SET actor = 'x'$$, '42501',
	'cityops.audit is append-only; update is not allowed', 'audit: no UPDATE, even superuser');
SELECT throws_ok($$DELETE FROM cityops.audit$$, '42501',
	'cityops.audit is append-only; delete is not allowed', 'audit: no DELETE, even superuser');
SELECT throws_ok($$TRUNCATE cityops.audit$$, '42501',
	'cityops.audit is append-only; truncate is not allowed', 'audit: no TRUNCATE');
SET LOCAL session_replication_role = replica;
SELECT throws_ok($$DELETE FROM cityops.audit$$, '42501',
	'cityops.audit is append-only; delete is not allowed', 'audit: replica mode does not switch it off');

SELECT * FROM finish();
ROLLBACK;
