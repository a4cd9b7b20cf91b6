-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 050, sql/functions/76_escalation.sql: escalation by itself.
-- A breach step fires once, by 'system', NOTIFYed and audited; the next
-- step and the next stage fire again; the level stops at 3; scope,
-- role and exercise are respected; admins edit the policy, nobody else.
SELECT plan(33);

-- The demo's own overdue incidents are escalated first, out of the way.
SET SESSION AUTHORIZATION cityops_ingest;
SELECT lives_ok('SELECT * FROM cityops.escalate_due()', 'the scheduler login runs a pass');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok('SELECT * FROM cityops.escalate_due()', 'CO002', NULL,
	'a viewer cannot run the escalation pass');
RESET SESSION AUTHORIZATION;

-- A fresh P2 fire in 黄浦 and a fresh exercise one.
SET SESSION AUTHORIZATION officer_hp;
CREATE TEMP TABLE t (name text PRIMARY KEY, ref text);
GRANT ALL ON t TO PUBLIC;
INSERT INTO t SELECT 'a', ref FROM cityops.incident_raise('fire', 2, '310101', '升级测试甲');
INSERT INTO t SELECT 'x', ref FROM cityops.incident_raise('fire', 2, '310101', '升级测试演练',
	p_exercise => true);
RESET SESSION AUTHORIZATION;
CREATE FUNCTION pg_temp.esc(p text) RETURNS int LANGUAGE sql
	AS $$ SELECT escalation FROM cityops.incident WHERE ref = (SELECT ref FROM t WHERE name = p) $$;
CREATE FUNCTION pg_temp.overdue(p text, p_by interval) RETURNS void LANGUAGE sql
	AS $$ UPDATE cityops.incident SET ack_due = now() - p_by, dispatch_due = now() - p_by
		WHERE ref = (SELECT ref FROM t WHERE name = p) $$;
CREATE FUNCTION pg_temp.pass(p_login text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SET SESSION AUTHORIZATION %I', p_login);
	RETURN QUERY SELECT e.ref || ' ' || e.stage || ' ' || e.step || ' ' || e.escalation
		FROM cityops.escalate_due() e;
	RESET SESSION AUTHORIZATION;
END $$;

SELECT is(ARRAY(SELECT pg_temp.pass('cityops_ingest')), '{}'::text[],
	'nothing is due before the deadline');

-- The ack deadline passed a minute ago: step 1 of the peace policy (0).
SELECT pg_temp.overdue('a', '1 minute');
SELECT pg_temp.overdue('x', '1 hour');
CREATE TEMP TABLE mark AS SELECT coalesce(max(seq), 0) AS seq FROM cityops.change_log;
SELECT is(ARRAY(SELECT pg_temp.pass('officer_fx')), '{}'::text[],
	'a scheduler whose scope is 奉贤 leaves 黄浦 alone');
SELECT is(ARRAY(SELECT pg_temp.pass('cityops_ingest')),
	ARRAY[(SELECT ref FROM t WHERE name = 'a') || ' ack 1 1'], 'step 1 fires once the deadline passed');
SELECT is(pg_temp.esc('a'), 1, 'the level is 督办1');
SELECT is(pg_temp.esc('x'), 0, 'an exercise incident is left to its drill');
SELECT is((SELECT concat_ws(' ', actor, action, from_state, to_state, note ~ '^升级 0 → 1; 自动督办')
	FROM cityops.incident_event WHERE incident_id = (SELECT id FROM cityops.incident
		WHERE ref = (SELECT ref FROM t WHERE name = 'a')) ORDER BY id DESC LIMIT 1),
	'system escalate new new t', 'a timeline row by system');
SELECT ok(EXISTS (SELECT 1 FROM cityops.change_log c, mark m WHERE c.seq > m.seq
	AND c.kind = 'event' AND c.incident_id = (SELECT id FROM cityops.incident
		WHERE ref = (SELECT ref FROM t WHERE name = 'a'))), 'consoles are told (change log, NOTIFY)');
SELECT is(ARRAY(SELECT concat_ws(' ', actor, detail->>'stage', detail->>'step', detail->>'to')
	FROM cityops.audit WHERE action = 'incident.escalate.auto'
		AND object = (SELECT ref FROM t WHERE name = 'a')),
	ARRAY['cityops_ingest ack 1 1'], 'audited with the scheduler''s login');
SELECT is(ARRAY(SELECT pg_temp.pass('cityops_ingest')), '{}'::text[], 'a second pass fires nothing');
SELECT is(pg_temp.esc('a'), 1, 'still 督办1');

-- A deadline moved back 31 minutes is a new breach, and its step 2
-- (30 minutes for P2) is due too.
SELECT pg_temp.overdue('a', '31 minutes');
SELECT is(ARRAY(SELECT pg_temp.pass('cityops_ingest')),
	ARRAY[(SELECT ref FROM t WHERE name = 'a') || ' ack 1 2',
		(SELECT ref FROM t WHERE name = 'a') || ' ack 2 3'],
	'a moved deadline is a new breach: step 1 and, 31 min late, step 2');
SELECT is(pg_temp.esc('a'), 3, 'each step raises the level by one');

-- The officer acknowledges: the pending deadline is now dispatch's.
SET SESSION AUTHORIZATION officer_hp;
SELECT lives_ok($$SELECT * FROM cityops.incident_act((SELECT ref FROM t WHERE name = 'a'), 'ack')$$,
	'acknowledged');
RESET SESSION AUTHORIZATION;
SELECT is(ARRAY(SELECT pg_temp.pass('cityops_ingest')),
	ARRAY[(SELECT ref FROM t WHERE name = 'a') || ' dispatch 1 3',
		(SELECT ref FROM t WHERE name = 'a') || ' dispatch 2 3'],
	'the dispatch stage breaches on its own; the level stays at 3');
SELECT is((SELECT note ~ '^升级 3 → 3' FROM cityops.incident_event
	WHERE incident_id = (SELECT id FROM cityops.incident WHERE ref = (SELECT ref FROM t WHERE name = 'a'))
	ORDER BY id DESC LIMIT 1), true, 'the timeline says the level stays at 3');
SELECT is((SELECT count(*)::int FROM cityops.escalation_fired
	WHERE incident_id = (SELECT id FROM cityops.incident WHERE ref = (SELECT ref FROM t WHERE name = 'a'))),
	5, 'five breach steps recorded (ack at two deadlines, dispatch), each once');
SELECT throws_ok($$INSERT INTO cityops.escalation_fired (incident_id, sla_stage, sla_due, step,
		region_path, policy, fired_by)
	SELECT incident_id, sla_stage, sla_due, step, region_path, policy, 'other'
	FROM cityops.escalation_fired LIMIT 1$$, '23505', NULL,
	'a second scheduler cannot record the same step again (primary key)');

-- Policy edits: admin only, checked, audited.
SET SESSION AUTHORIZATION super_city;
SELECT throws_ok($$SELECT * FROM cityops.escalation_policy_set('peace', 'fire', 2, 1, '5 min')$$,
	'CO002', NULL, 'a supervisor cannot edit the policy');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION admin_city;
SELECT throws_ok($$SELECT * FROM cityops.escalation_policy_set('peace', 'fire', 2, 1, 'soon')$$,
	'CO006', 'not a delay: soon', 'a delay that is not one');
SELECT throws_ok($$SELECT * FROM cityops.escalation_policy_set('peace', 'nosuch', 2, 1, '5 min')$$,
	'CO006', NULL, 'an unknown category');
SELECT throws_ok($$SELECT * FROM cityops.escalation_policy_set('peace', '*', 2, 4, '5 min')$$,
	'CO006', NULL, 'a step past 3');
SELECT throws_ok($$SELECT * FROM cityops.escalation_policy_set('peace', '*', 2, 2, '5 days')$$,
	'CO006', NULL, 'step 2 after step 3 is out of order');
SELECT throws_ok($$SELECT * FROM cityops.escalation_policy_set('Peace Time', '*', 2, 2, '5 min')$$,
	'CO006', NULL, 'a bad policy name');
SELECT throws_ok($$SELECT * FROM cityops.escalation_policy_set('peace', 'fire', 2, 1, NULL)$$,
	'CO001', NULL, 'removing a step that is not there');
SELECT lives_ok($$SELECT * FROM cityops.escalation_policy_set('peace', 'fire', 2, 1, '20 min')$$,
	'an admin gives fire P2 its own first step');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM cityops.audit WHERE action = 'escalation.policy'
	AND actor = 'admin_city'), 1, 'the edit is audited (the refused ones are not)');
SELECT results_eq($$SELECT step, after FROM cityops.escalation_steps('peace', 'fire', 2)$$,
	$$VALUES (1, interval '20 minutes')$$, 'a category''s own rows replace the * rows');

-- Fire P2 now escalates only 20 minutes after its deadline.
SET SESSION AUTHORIZATION officer_hp;
INSERT INTO t SELECT 'b', ref FROM cityops.incident_raise('fire', 2, '310101', '升级测试乙');
RESET SESSION AUTHORIZATION;
SELECT pg_temp.overdue('b', '10 minutes');
SELECT is(ARRAY(SELECT pg_temp.pass('cityops_ingest')), '{}'::text[],
	'10 minutes late: not yet under the fire policy');
SELECT pg_temp.overdue('b', '21 minutes');
SELECT is(ARRAY(SELECT pg_temp.pass('cityops_ingest')),
	ARRAY[(SELECT ref FROM t WHERE name = 'b') || ' ack 1 1'], '21 minutes late: step 1');
SET SESSION AUTHORIZATION admin_city;
SELECT lives_ok($$SELECT * FROM cityops.escalation_policy_set('peace', 'fire', 2, 1, NULL)$$,
	'and the step is removed again');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT count(*)::int FROM cityops.escalation_fired WHERE region_path <@ '310000.310101'), 0,
	'an officer of 奉贤 sees no fired step of 黄浦 (row-level security)');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
