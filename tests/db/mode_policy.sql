-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 051: an emergency mode's SLA policy and escalation policy.
-- Incidents raised in 防汛防台 II get 0.6 of the peace deadlines; those
-- already open keep theirs; the flood-typhoon escalation policy is in
-- force; back in peace, everything is as before. A kind without a policy
-- changes nothing.
SELECT plan(12);

CREATE TEMP TABLE t (name text PRIMARY KEY, ref text);
GRANT ALL ON t TO PUBLIC;
CREATE FUNCTION pg_temp.slas(p text) RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' ', ack_due - created_at, dispatch_due - created_at,
		arrive_due - created_at, close_due - created_at)
	FROM cityops.incident WHERE ref = (SELECT ref FROM t WHERE name = p) $$;
CREATE FUNCTION pg_temp.raise(p text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	SET SESSION AUTHORIZATION officer_fx;
	INSERT INTO t SELECT p, ref FROM cityops.incident_raise('flood', 1, '南桥镇', '模式测试 ' || p);
	RESET SESSION AUTHORIZATION;
END $$;
CREATE FUNCTION pg_temp.switch(p_mode text, p_level text, p_kind text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	SET SESSION AUTHORIZATION super_city;
	PERFORM cityops.mode_set(p_mode, p_level, p_kind, '测试');
	RESET SESSION AUTHORIZATION;
END $$;

SELECT pg_temp.raise('peace');
SELECT is(pg_temp.slas('peace'), '00:02:00 00:05:00 00:30:00 06:00:00',
	'in peace a flood P1 gets the peace deadlines');
SELECT is(cityops.escalation_policy_in_force(), 'peace', 'the peace escalation policy is in force');

SELECT pg_temp.switch('emergency', 'II', '防汛防台');
SELECT pg_temp.raise('ii');
SELECT is(pg_temp.slas('ii'), '00:01:12 00:03:00 00:18:00 03:36:00',
	'in 防汛防台 II a new flood P1 gets 0.6 of each deadline');
SELECT is(pg_temp.slas('peace'), '00:02:00 00:05:00 00:30:00 06:00:00',
	'an incident already open keeps its deadlines');
SELECT is(cityops.escalation_policy_in_force(), 'flood-typhoon',
	'the flood-typhoon escalation policy is in force');
SELECT results_eq($$SELECT step, after FROM cityops.escalation_steps(
		cityops.escalation_policy_in_force(), 'flood', 1)$$,
	$$VALUES (1, interval '0'), (2, interval '5 minutes'), (3, interval '15 minutes')$$,
	'its steps are sooner than peace''s');

SELECT pg_temp.switch('emergency', 'I', '防汛防台');
SELECT pg_temp.raise('i');
SELECT is(pg_temp.slas('i'), '00:01:00 00:02:30 00:15:00 03:00:00', 'level I halves them');

SELECT pg_temp.switch('emergency', 'IV', '防汛防台');
SELECT is(cityops.escalation_policy_in_force(), 'peace', 'level IV keeps the peace escalation policy');

SELECT pg_temp.switch('emergency', 'I', '地震');
SELECT pg_temp.raise('quake');
SELECT is(pg_temp.slas('quake'), '00:02:00 00:05:00 00:30:00 06:00:00',
	'a kind without a policy changes no deadline');
SELECT is(cityops.escalation_policy_in_force(), 'peace', 'nor the escalation policy');

SELECT pg_temp.switch('peace', NULL, NULL);
SELECT pg_temp.raise('after');
SELECT is(pg_temp.slas('after'), '00:02:00 00:05:00 00:30:00 06:00:00', 'back in peace, peace deadlines');

-- A drill session cannot switch the real mode (migration 008's fence).
SET SESSION AUTHORIZATION super_city;
SELECT set_config('cityops.drill', (SELECT coalesce(max(id), 0) + 1 FROM cityops.drill_run)::text, false);
SELECT throws_ok($$SELECT cityops.mode_set('emergency', 'I', '防汛防台', '演练')$$, NULL, NULL,
	'a drill session cannot switch the real mode');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
