-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 8, defect 1: the search-path attack itself. A login creates
-- tables named like the ones caller(), scope_path(), the incident loop and
-- the clock read, in its temporary schema, before it calls anything (so
-- no cached plan hides the attack), saying it is an admin at city scope;
-- then, as an officer and as a viewer, it still sees and may do only what
-- its real role and scope allow. docs/security.md points here.
BEGIN;
SELECT plan(21);
-- pgTAP keeps its bookkeeping in temp tables of the session owner; the
-- operators we impersonate must be able to write them.
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA pg_temp TO PUBLIC;

-- A 黄浦 viewer (the demo has only a city-wide one).
CREATE ROLE trust_viewer_hp LOGIN;
GRANT cityops_user TO trust_viewer_hp;
INSERT INTO cityops.operator (login, display_name, role, scope_code)
	VALUES ('trust_viewer_hp', '黄浦观察员', 'viewer', '310101');
CREATE TEMP TABLE fx AS
	SELECT (SELECT ref FROM cityops.incident WHERE title = '外滩人流密集') AS hp_ref,
		(SELECT ref FROM cityops.incident WHERE title = '小区停电') AS fx_ref,
		(SELECT id FROM cityops.unit WHERE callsign = 'FX-W01') AS fx_w01;
GRANT SELECT ON fx TO PUBLIC;

-- Tables named like the ones caller(),
-- scope_path(), the loop and the clock read, in the session's temporary
-- schema, saying the callers are admins at city scope, actions need no
-- role and this transaction may shift the clock. The owner makes them
-- (operators have no TEMPORARY on a migrated database — tests/headless/
-- trust-db.sh — but this proves the functions ignore such tables even
-- where a login had it).
CREATE TEMP TABLE operator (LIKE cityops.operator);
INSERT INTO pg_temp.operator VALUES
	('officer_fx', '冒充', 'admin', '310000', now()),
	('trust_viewer_hp', '冒充', 'admin', '310000', now());
CREATE TEMP TABLE region (LIKE cityops.region);
INSERT INTO pg_temp.region SELECT * FROM cityops.region WHERE code = '310000';
CREATE TEMP TABLE action (LIKE cityops.action);
INSERT INTO pg_temp.action SELECT name, ord, 'viewer', false, false, unit_effect, label_zh
	FROM cityops.action;
CREATE TEMP TABLE clock_grant (xid xid8, granted_by name, granted_at timestamptz);
INSERT INTO pg_temp.clock_grant (xid) VALUES (pg_current_xact_id());
CREATE TEMP TABLE drill_run (id bigint, state text);
GRANT SELECT ON pg_temp.operator, pg_temp.region, pg_temp.action, pg_temp.clock_grant,
	pg_temp.drill_run TO PUBLIC;

SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT role || ' ' || scope_name FROM cityops.whoami()), 'officer 奉贤区',
	'shadowed tables: officer_fx is still officer in 奉贤区');
SELECT is((SELECT count(*)::int FROM cityops.queue(p_all => true, p_limit => 1000)
	WHERE region_code NOT LIKE '310120%'), 0, 'shadowed tables: the queue holds only 奉贤');
SELECT is((SELECT count(*)::int FROM cityops.incident WHERE region_code NOT LIKE '310120%'), 0,
	'shadowed tables: row-level security still limits the incident table to 奉贤');
SELECT is((SELECT count(*)::int FROM cityops.units() WHERE callsign LIKE 'HP-%'), 0,
	'shadowed tables: unit lists hold no 黄浦 unit');
SELECT throws_ok(format('SELECT * FROM cityops.incident_get(%L)', (SELECT hp_ref FROM fx)), 'CO001',
	NULL, 'shadowed tables: show of a 黄浦 incident is not found');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', (SELECT fx_ref FROM fx),
	'dispatch', '{FX-E01}'), 'CO002', 'dispatch needs role supervisor; you are officer',
	'shadowed tables: an officer still cannot dispatch');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L)', (SELECT hp_ref FROM fx), 'ack'),
	'CO001', NULL, 'shadowed tables: acknowledging a 黄浦 incident is still not found');
SELECT throws_ok($$SELECT * FROM cityops.mode_set('emergency', 'I', '防汛防台', '冒充')$$, 'CO002', NULL,
	'shadowed tables: an officer still cannot switch mode');
SELECT throws_ok($$SELECT * FROM cityops.entity_map_set('X', '*', 'y', 'fx.rain')$$, 'CO002', NULL,
	'shadowed tables: an officer still cannot edit the entity mapping');
SELECT throws_ok($$SELECT * FROM cityops.drill_clear('typhoon-fengxian')$$, 'CO002', NULL,
	'shadowed tables: an officer still cannot clear drills');
SELECT is((SELECT count(*)::int FROM cityops.vitals(NULL, NULL, 1000) WHERE indicator_id LIKE 'hp.%'), 0,
	'shadowed tables: vital signs hold no 黄浦 indicator');
SET cityops.clock_offset = '-100 days';
SELECT is((SELECT to_state FROM cityops.incident_act((SELECT fx_ref FROM fx), 'ack')), 'acknowledged',
	'shadowed tables: officer_fx acknowledges in its own scope');
SELECT ok((SELECT max(at) FROM cityops.incident_timeline((SELECT fx_ref FROM fx))) >= now(),
	'shadowed tables: a shadow clock_grant does not let the clock move (the ack is at real time)');
RESET cityops.clock_offset;
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION trust_viewer_hp;
SELECT is((SELECT role || ' ' || scope_name FROM cityops.whoami()), 'viewer 黄浦区',
	'shadowed tables: the 黄浦 viewer is still a viewer in 黄浦区');
SELECT is((SELECT count(*)::int FROM cityops.queue(p_all => true, p_limit => 1000)
	WHERE region_code NOT LIKE '310101%'), 0, 'shadowed tables: the viewer''s queue holds only 黄浦');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L)', (SELECT hp_ref FROM fx), 'ack'),
	'CO002', NULL, 'shadowed tables: a viewer still cannot acknowledge');
SELECT throws_ok(format('SELECT * FROM cityops.incident_act(%L, %L, NULL, %L)', (SELECT hp_ref FROM fx),
	'dispatch', '{HP-F02}'), 'CO002', NULL, 'shadowed tables: a viewer still cannot dispatch');
SELECT throws_ok($$SELECT * FROM cityops.mode_set('peace', NULL, NULL, '冒充')$$, 'CO002', NULL,
	'shadowed tables: a viewer still cannot switch mode');
SELECT throws_ok($$SELECT * FROM cityops.entity_map_set('X', '*', 'y', 'hp.crowd.bund')$$, 'CO002', NULL,
	'shadowed tables: a viewer still cannot edit the entity mapping');
SELECT throws_ok($$SELECT * FROM cityops.unit_set_status('HP-F02', 'out_of_service', 'x')$$, 'CO002', NULL,
	'shadowed tables: a viewer still cannot set a unit''s status');
SELECT is((SELECT callsign FROM cityops.unit_card((SELECT fx_w01 FROM fx))), NULL,
	'shadowed tables: unit_card still hides a 奉贤 unit from the 黄浦 viewer');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
