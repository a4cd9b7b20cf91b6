-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 015: a feed report replayed (after an ingest restart, or resent
-- by its source) is stored once: no second incident, no second 'merge' row.
SELECT plan(15);

CREATE FUNCTION pg_temp.merges(p_key text) RETURNS int LANGUAGE sql AS $$
	SELECT count(*)::int FROM cityops.incident_event e
	JOIN cityops.incident i ON i.id = e.incident_id
	WHERE i.dedup_key = p_key AND e.action = 'merge'
$$;

SET SESSION AUTHORIZATION cityops_ingest;

SELECT results_eq($$SELECT merged, replayed FROM cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '人民路积水', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763700000000')$$, $$VALUES (false, false)$$, 'a new report raises');
SELECT results_eq($$SELECT merged, replayed FROM cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '人民路积水', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763700000000')$$, $$VALUES (true, true)$$, 'the same message again is a replay');
SELECT results_eq($$SELECT merged, replayed FROM cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '人民路积水', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763700000000')$$, $$VALUES (true, true)$$, 'and a third time');
RESET SESSION AUTHORIZATION; -- counted as the owner
SELECT is(pg_temp.merges('open311:R-1'), 0, 'a replay adds no merge row');
SELECT is((SELECT count(*)::int FROM cityops.incident WHERE dedup_key = 'open311:R-1'), 1,
	'one incident');
SET SESSION AUTHORIZATION cityops_ingest;

-- An update (new text or a new source time) is a new message: one merge.
SELECT results_eq($$SELECT merged, replayed FROM cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '积水加深', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763700600000')$$, $$VALUES (true, false)$$, 'an update merges');
SELECT lives_ok($$SELECT cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '积水加深', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763700600000')$$, 'the update replayed');
RESET SESSION AUTHORIZATION; -- counted as the owner
SELECT is(pg_temp.merges('open311:R-1'), 1, 'one merge row for one update');
SET SESSION AUTHORIZATION cityops_ingest;
SELECT results_eq($$SELECT merged, replayed FROM cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '积水加深', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763701200000')$$, $$VALUES (true, false)$$,
	'the same text at a new source time is a new message');
RESET SESSION AUTHORIZATION; -- counted as the owner
SELECT is(pg_temp.merges('open311:R-1'), 2, 'and merges once');
SET SESSION AUTHORIZATION cityops_ingest;

-- Without a message identity (drills, alarm incidents) every call merges,
-- as before.
SELECT lives_ok($$SELECT cityops.feed_incident('12345', 'flood', 3, '南桥镇', '道路积水',
	'', '', NULL, NULL, 'open311:R-2', false)$$, 'raise without an identity');
SELECT is((SELECT merged FROM cityops.feed_incident('12345', 'flood', 3, '南桥镇', '道路积水',
	'', '', NULL, NULL, 'open311:R-2', false)), true, 'merges without an identity');
RESET SESSION AUTHORIZATION;

-- A viewer cannot use a replay to learn that a report exists.
SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok($$SELECT cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '人民路积水', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763700000000')$$, 'CO002', NULL, 'a viewer cannot report, replay or not');
RESET SESSION AUTHORIZATION;

-- An officer of another district gets the scope error, not the incident.
SET SESSION AUTHORIZATION officer_hp;
SELECT throws_ok($$SELECT cityops.feed_incident('12345', 'flood', 3,
	'南桥镇', '道路积水', '人民路积水', '人民路100号', NULL, NULL, 'open311:R-1', false,
	'open311|1763700000000')$$, 'CO003', NULL, 'out of scope: no replay answer');
RESET SESSION AUTHORIZATION;

-- The digests name every incident's ref: no operator reads them.
SELECT ok(NOT has_table_privilege('cityops_user', 'cityops.feed_report', 'SELECT')
	AND NOT has_function_privilege('public', 'cityops.feed_incident(text, text, int, text,
		text, text, text, float8, float8, text, bool, text)', 'EXECUTE'),
	'feed_report is the owner''s; feed_incident is not PUBLIC''s');

SELECT * FROM finish();
