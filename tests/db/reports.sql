-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 15: the evaluation report on fixed data with known answers (an
-- empty period, and one ending at midnight Shanghai time with an incident
-- half an hour either side of it), incident_step kept by the timeline,
-- the map's tiles, and the shift handover (audited, one acceptance).
SELECT plan(25);

-- Five incidents in 2035 (no demo data there), written as the owner.
-- A, B: 奉贤 on 1 March (B at 23:30); C: 奉贤 at 00:30 on 2 March, which
-- is still 1 March in UTC; D: 黄浦, unfounded; E: 奉贤, raised the day
-- before and closed on 1 March.
-- incident_derive stamps new incidents with the clock, so their times
-- are kept here and given to incident_step, which the report reads.
CREATE TEMP TABLE fx_inc (tag text, id bigint, at timestamptz);
WITH ins AS (
	INSERT INTO cityops.incident (ref, priority, category_code, title, source, region_code,
		region_path, state, created_at, created_by, ack_due, dispatch_due, arrive_due,
		close_due)
	SELECT v.ref, 2, v.cat, 'report fixture ' || v.tag, '12345', v.region,
		(SELECT path FROM cityops.region WHERE code = v.region), 'new', v.at::timestamptz,
		'super_city', v.at::timestamptz + interval '5 min', v.at::timestamptz + interval '15 min',
		v.at::timestamptz + interval '30 min', v.at::timestamptz + interval '1 hour'
	FROM (VALUES
		('A', '350301-9001', 'flood', '310120101', '2035-03-01 10:00+08'),
		('B', '350301-9002', 'flood', '310120101', '2035-03-01 23:30+08'),
		('C', '350302-9003', 'water', '310120101', '2035-03-02 00:30+08'),
		('D', '350301-9004', 'noise', '310101',    '2035-03-01 05:00+08'),
		('E', '350228-9005', 'flood', '310120101', '2035-02-28 20:00+08')) v(tag, ref, cat,
			region, at)
	RETURNING id, title
)
INSERT INTO fx_inc SELECT right(title, 1), id, NULL FROM ins;
UPDATE fx_inc SET at = v.at::timestamptz FROM (VALUES ('A', '2035-03-01 10:00+08'),
	('B', '2035-03-01 23:30+08'), ('C', '2035-03-02 00:30+08'), ('D', '2035-03-01 05:00+08'),
	('E', '2035-02-28 20:00+08')) v(tag, at) WHERE v.tag = fx_inc.tag;

INSERT INTO cityops.incident_step (incident_id, region_path, category_code, priority, exercise,
	created_at, ack_due, dispatch_due, arrive_due, close_due, ack_at, dispatch_at, arrive_at,
	close_at, end_state, escalations)
SELECT i.id, i.region_path, i.category_code, 2, false, f.at, f.at + interval '5 min',
	f.at + interval '15 min', f.at + interval '30 min', f.at + interval '1 hour',
	f.at + (s.ack || ' s')::interval, f.at + (s.dispatch || ' s')::interval,
	f.at + (s.arrive || ' s')::interval, f.at + (s.close || ' s')::interval,
	s.end_state, s.esc
FROM fx_inc f JOIN cityops.incident i ON i.id = f.id
JOIN (VALUES
	-- A: ack, dispatch and arrival in time (arrival exactly on time); closed late
	('A', 60, 600, 1800, 7200, 'closed', 0),
	-- B: ack in time, dispatch late; not arrived, not closed (deadlines ahead)
	('B', 120, 7200, NULL, NULL, NULL, 0),
	('C', 30, NULL, NULL, NULL, NULL, 0),
	-- D: acknowledged in time, then found unfounded; escalated once
	('D', 30, NULL, NULL, 300, 'unfounded', 1),
	('E', 60, 300, 900, 18000, 'closed', 0)) s(tag, ack, dispatch, arrive, close, end_state, esc)
	ON s.tag = f.tag
ON CONFLICT (incident_id) DO NOTHING;
SELECT is((SELECT count(*)::int FROM cityops.incident_step s JOIN fx_inc f ON f.id = s.incident_id
	WHERE s.created_at = f.at), 5, 'the fixture is in place');

-- Two returns of B with their reasons, through the timeline: the trigger
-- counts them.
INSERT INTO cityops.incident_event (incident_id, region_path, at, actor, action, from_state,
	to_state, note)
SELECT f.id, i.region_path, f.at + interval '1 hour', 'super_city', 'return', 'dispatched',
	'returned', r
FROM fx_inc f JOIN cityops.incident i ON i.id = f.id
CROSS JOIN (VALUES ('地址错误'), ('非本部门职责')) x(r)
WHERE f.tag = 'B';
SELECT is((SELECT returns FROM cityops.incident_step s JOIN fx_inc f ON f.id = s.incident_id
	WHERE f.tag = 'B'), 2, 'incident_step counts the returns on the timeline');

SET SESSION AUTHORIZATION super_city;
SELECT is(cityops.report_time('2035-03-01'), '2035-03-01 00:00+08'::timestamptz,
	'a date without a zone is midnight in Shanghai');
SELECT is(cityops.report_time('2035-03-01 00:00+00'), '2035-03-01 08:00+08'::timestamptz,
	'an explicit offset is kept');
SELECT throws_ok($$SELECT cityops.report_time('yesterday-ish')$$, 'CO006', 'not a time: yesterday-ish',
	'a bad time is refused with a clear message');

CREATE TEMP TABLE r AS SELECT * FROM cityops.report_period('2035-03-01', '2035-03-02', 'district');
SELECT results_eq($$SELECT grp_code, grp, raised, closed FROM r ORDER BY grp_code NULLS LAST$$,
	$$VALUES ('310101'::text, '黄浦区'::text, 1::bigint, 1::bigint),
		('310120', '奉贤区', 2, 2), (NULL, '合计', 3, 3)$$,
	'1 March in Shanghai: A and B raised in 奉贤 (not C, half an hour after midnight), D in 黄浦; '
	'A and E closed');
SELECT results_eq($$SELECT ack_pct, dispatch_pct, arrive_pct, close_pct FROM r
	WHERE grp_code = '310120'$$,
	$$VALUES (100.0, 50.0, 100.0, 0.0)$$,
	'奉贤 SLA: both acks in time, one dispatch of two, arrival on the deadline counts as met, '
	'the close late; steps not due yet are not judged');
SELECT results_eq($$SELECT ack_median_s, ack_p90_s, dispatch_median_s, dispatch_p90_s FROM r
	WHERE grp_code = '310120'$$,
	$$VALUES (90::bigint, 114::bigint, 3900::bigint, 6540::bigint)$$,
	'奉贤 median and p90 of ack (60 s, 120 s) and dispatch (600 s, 7200 s)');
SELECT results_eq($$SELECT returns, return_reasons FROM r WHERE grp_code = '310120'$$,
	$$VALUES (2::bigint, '地址错误×1; 非本部门职责×1'::text)$$, 'returns by reason');
SELECT results_eq($$SELECT unfounded_pct, escalations, dispatch_pct FROM r WHERE grp_code = '310101'$$,
	$$VALUES (100.0, 1::bigint, NULL::numeric)$$,
	'黄浦: unfounded and escalated; no dispatch to judge');
SELECT results_eq($$SELECT ack_pct, unfounded_pct, returns FROM r WHERE grp_code IS NULL$$,
	$$VALUES (100.0, 33.3, 2::bigint)$$, 'the total row');

SELECT results_eq($$SELECT grp_code, raised, closed, ack_pct FROM cityops.report_period(
		'2035-04-01', '2035-04-02', 'district')$$,
	$$VALUES (NULL::text, 0::bigint, 0::bigint, NULL::numeric)$$,
	'an empty period: only the total, all zero, no percentages');
SELECT results_eq($$SELECT grp, raised FROM cityops.report_period('2035-03-02', '2035-03-03',
		'category') WHERE grp_code IS NOT NULL$$,
	$$VALUES ('供水故障'::text, 1::bigint)$$,
	'2 March in Shanghai holds C alone (by category)');
SELECT results_eq($$SELECT grp_code, raised FROM cityops.report_period('2035-03-01 00:00+00',
		'2035-03-02 00:00+00', 'street') WHERE grp_code IS NOT NULL ORDER BY 1$$,
	$$VALUES ('310120101'::text, 3::bigint)$$,
	'the same day in UTC takes C (00:30 Shanghai on 2 March) and not D (05:00 Shanghai, '
	'21:00 UTC the day before); by street');
SELECT throws_ok($$SELECT * FROM cityops.report_period('2035-03-02', '2035-03-01')$$, 'CO006',
	NULL, 'a period that ends before it starts is refused');
SELECT throws_ok($$SELECT * FROM cityops.report_period('2035-03-01', '2035-03-02', 'weather')$$,
	'CO006', NULL, 'an unknown grouping is refused');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION officer_fx;
SELECT results_eq($$SELECT grp_code, raised FROM cityops.report_period('2035-03-01', '2035-03-02')
		ORDER BY grp_code NULLS LAST$$,
	$$VALUES ('310120'::text, 2::bigint), (NULL, 2)$$,
	'an officer of 奉贤 sees 奉贤 only');
RESET SESSION AUTHORIZATION;

-- The timeline keeps incident_step as incidents are handled.
SET SESSION AUTHORIZATION super_city;
CREATE TEMP TABLE raised AS SELECT * FROM cityops.incident_raise('flood', 2, '南桥镇', '步进测试',
	'12345', 'x', NULL, NULL, false);
SELECT lives_ok($$SELECT cityops.incident_act((SELECT ref FROM raised), 'ack')$$, 'ack');
SELECT ok((SELECT ack_at IS NOT NULL AND dispatch_at IS NULL FROM cityops.incident_step s
	JOIN cityops.incident i ON i.id = s.incident_id WHERE i.ref = (SELECT ref FROM raised)),
	'a raise and an ack are in incident_step');
RESET SESSION AUTHORIZATION;

-- The map's tiles: the sixteen districts, with open incidents by priority.
SET SESSION AUTHORIZATION super_city;
SELECT is((SELECT count(*)::int FROM cityops.region_map('310000')), 16, 'sixteen tiles');
SELECT ok((SELECT p1 + p2 + p3 + p4 = open_incidents FROM cityops.region_map('310000')
	WHERE code = '310120'), 'a tile''s counts by priority add up to its open incidents');
RESET SESSION AUTHORIZATION;

-- Handover: given, accepted once, audited.
SET SESSION AUTHORIZATION super_city;
SELECT throws_ok($$SELECT * FROM cityops.handover_give('super_city')$$, 'CO006', NULL,
	'no handover to oneself');
SELECT lives_ok($$SELECT * FROM cityops.handover_give('officer_city', '注意潮位')$$, 'handed over');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION officer_city;
SELECT lives_ok($$SELECT * FROM cityops.handover_accept()$$, 'accepted');
SELECT throws_ok($$SELECT * FROM cityops.handover_accept()$$, 'CO001', 'no handover is waiting for you',
	'accepted once');
RESET SESSION AUTHORIZATION;
