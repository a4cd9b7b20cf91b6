-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 057: a drill switches emergency mode for its exercise scope
-- only. Its own sessions see the drill's mode (mode_get, mode_desk, the
-- SLA deadlines, the escalation policy); every other session sees the
-- real mode, unchanged. Logins that try to reach the real mode through
-- the drill path (a finished or made-up run, a direct call of the
-- recorder, a direct write, an officer) are refused and change nothing.
SELECT plan(28);

CREATE TEMP TABLE real_before AS
	SELECT (SELECT count(*) FROM cityops.mode) AS n, (SELECT mode FROM cityops.mode_get()) AS mode;
GRANT SELECT ON real_before TO PUBLIC;
CREATE FUNCTION pg_temp.real_unchanged() RETURNS boolean LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM cityops.mode) = n AND
		(SELECT m.mode FROM cityops.mode m ORDER BY m.id DESC LIMIT 1) = mode
	FROM real_before $$;
GRANT EXECUTE ON FUNCTION pg_temp.real_unchanged() TO PUBLIC;
SELECT is((SELECT mode FROM real_before), 'peace', 'the real desk is in peace to begin with');

SET SESSION AUTHORIZATION super_fx;
CREATE TEMP TABLE run AS SELECT id FROM cityops.drill_start('pgtap-mode', '模式演练', 60);
GRANT SELECT ON run TO PUBLIC;
SELECT set_config('cityops.drill', (SELECT id::text FROM run), false);
SELECT results_eq($$SELECT mode, level FROM cityops.mode_set('emergency', 'II', '防汛防台', '演练启动')$$,
	$$VALUES ('emergency'::text, 'II'::text)$$, 'a supervisor in a drill session switches to II');
SELECT ok(pg_temp.real_unchanged(), 'the real mode has no new row');
SELECT is((SELECT concat_ws(' ', mode, level, kind, set_by) FROM cityops.mode_get()),
	'emergency II 防汛防台 super_fx', 'the drill''s session reads the drill''s mode');
SELECT is((SELECT drill_run FROM cityops.mode_now()), (SELECT id FROM run),
	'mode_now says it is the drill''s');
SELECT is((SELECT incidents_first FROM cityops.mode_desk()), concat_ws(chr(31), 'flood', 'typhoon', 'power'),
	'the drill''s desk puts II''s categories first');
SELECT is((SELECT ack FROM cityops.sla_for('flood', 1)), interval '72 seconds',
	'the drill''s incidents get II''s deadlines (0.6)');
SELECT is(cityops.escalation_policy_in_force(), 'flood-typhoon', 'and II''s escalation policy');
CREATE TEMP TABLE ex_inc AS
	SELECT ref FROM cityops.incident_raise('flood', 1, '南桥镇', '演练积水', '', '', '12345', NULL, true);
GRANT SELECT ON ex_inc TO PUBLIC;
SELECT is((SELECT ack_due - created_at FROM cityops.incident WHERE ref = (SELECT ref FROM ex_inc)),
	interval '72 seconds', 'an exercise P1 raised in the drill has II''s ack deadline');
SELECT is((SELECT string_agg(concat_ws(' ', exercise, drill_run = (SELECT id FROM run),
		detail->>'level'), ',') FROM cityops.audit WHERE action = 'drill.mode'),
	't t II', 'the switch is audited as exercise data of the run');
SELECT is((SELECT string_agg(concat_ws(' ', exercise, payload->>'mode'), ',') FROM cityops.change_log
		WHERE kind = 'drill' AND payload ? 'mode'), 't emergency',
	'and announced as an exercise change');

-- Another session, at the same moment: the real desk.
SELECT set_config('cityops.drill', '', false);
SELECT is((SELECT mode FROM cityops.mode_get()), 'peace', 'a real session still reads peace');
SELECT is((SELECT drill_run FROM cityops.mode_now()), NULL, 'the real mode');
SELECT is((SELECT incidents_first FROM cityops.mode_desk()), '', 'the real desk''s order is unchanged');
SELECT is((SELECT ack FROM cityops.sla_for('flood', 1)), interval '2 minutes',
	'real incidents keep the peace deadlines');
SELECT is(cityops.escalation_policy_in_force(), 'peace', 'and the peace escalation policy');
RESET SESSION AUTHORIZATION;

-- Hostile logins.
SET SESSION AUTHORIZATION officer_fx;
SELECT set_config('cityops.drill', (SELECT id::text FROM run), false);
SELECT throws_ok($$SELECT cityops.mode_set('emergency', 'I', '防汛防台', 'x')$$, 'CO002', NULL,
	'an officer cannot switch even the drill''s mode');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION super_city;
SELECT set_config('cityops.drill', (SELECT (id + 1000)::text FROM run), false);
SELECT throws_ok($$SELECT cityops.mode_set('emergency', 'I', '防汛防台', 'x')$$, 'CO003', NULL,
	'a supervisor naming a run that does not exist is refused');
SELECT set_config('cityops.drill', (SELECT id::text FROM run), false);
SELECT throws_ok($$SELECT cityops.drill_mode_record('emergency', 'I', '防汛防台', 'x')$$, '42501', NULL,
	'the recorder called directly cannot write');
SELECT throws_ok($$INSERT INTO cityops.drill_mode (drill_run, mode, level, kind, reason, set_by, set_at)
		VALUES ((SELECT id FROM run), 'emergency', 'I', 'x', 'x', 'x', now())$$, '42501', NULL,
	'nor can an operator insert a drill mode');
SELECT throws_ok($$INSERT INTO cityops.mode (mode, level, kind, reason, set_by)
		VALUES ('emergency', 'I', 'x', 'x', 'x')$$, '42501', NULL,
	'nor the real mode');
SELECT set_config('cityops.drill', '', false);
RESET SESSION AUTHORIZATION;
-- Even the owner's session, once fenced, cannot write the real mode.
SELECT set_config('cityops.drill', (SELECT id::text FROM run), false);
SELECT throws_ok($$INSERT INTO cityops.mode (mode, reason, set_by) VALUES ('peace', 'x', 'x')$$,
	'CO003', NULL, 'a fenced session cannot write the real mode, even as owner');
SELECT set_config('cityops.drill', '', false);
SELECT ok(pg_temp.real_unchanged(), 'after all that, the real mode is unchanged');

-- A finished run's mode is gone with it; its session can switch nothing.
SET SESSION AUTHORIZATION super_fx;
SELECT lives_ok($$SELECT cityops.drill_finish((SELECT id FROM run), 'passed', cityops.now(), 0, 0, '{}')$$,
	'the drill finishes');
SELECT set_config('cityops.drill', (SELECT id::text FROM run), false);
SELECT throws_ok($$SELECT cityops.mode_set('peace', NULL, NULL, 'x')$$, 'CO003', NULL,
	'a finished run''s session cannot switch');
SELECT set_config('cityops.drill', '', false);
SELECT lives_ok($$SELECT cityops.drill_clear('pgtap-mode')$$, 'drill clear');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM cityops.drill_mode)::int + (SELECT count(*) FROM cityops.audit
	WHERE action = 'drill.mode')::int, 0, 'removes the drill''s modes and their audit rows');
SELECT ok(pg_temp.real_unchanged(), 'and leaves the real mode as it was');

SELECT * FROM finish();
