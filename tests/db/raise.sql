-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Raising: refs, SLA deadlines from the policy table, location defaults,
-- dedup merges, and exercises kept out of the real queue.
BEGIN;
SELECT plan(13);
SET LOCAL cityops.clock_offset = '';

CREATE TEMP TABLE r1 AS
	SELECT * FROM cityops.incident_raise('flood', 1, '南桥', '测试积水', '测试路', '积水30厘米',
		'sensor', 'test:flood:1', false);
SELECT is((SELECT merged FROM r1), false, 'a first report raises an incident');
SELECT matches((SELECT ref FROM r1),
	'^' || to_char(cityops.now() AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-[0-9]{4}$',
	'ref is YYMMDD-NNNN of the Shanghai day');
SELECT is((SELECT array[ack_due - created_at, dispatch_due - created_at, arrive_due - created_at,
		close_due - created_at] FROM cityops.incident WHERE ref = (SELECT ref FROM r1)),
	(SELECT array[ack, dispatch, arrive, close] FROM cityops.sla_policy
		WHERE category_code = 'flood' AND priority = 1),
	'SLA deadlines come from the category row');
SELECT is((SELECT sla_stage || ' ' || (sla_due = ack_due) FROM cityops.incident
		WHERE ref = (SELECT ref FROM r1)), 'ack true', 'a new incident''s next deadline is ack');
SELECT is((SELECT (lat, lon)::text FROM cityops.incident WHERE ref = (SELECT ref FROM r1)),
	(SELECT (lat, lon)::text FROM cityops.region WHERE code = '310120101'),
	'location defaults to the region centroid');

CREATE TEMP TABLE r2 AS
	SELECT * FROM cityops.incident_raise('积水内涝', 2, '南桥镇', '又一条积水', '', '', '12345',
		'test:flood:1', false);
SELECT is((SELECT (ref, merged)::text FROM r2), (SELECT (ref, true)::text FROM r1),
	'the same dedup key merges into the open incident');
SELECT is((SELECT count(*) FROM cityops.incident_timeline((SELECT ref FROM r1)) WHERE action = 'merge'),
	1::bigint, 'the merge is a timeline row');
SELECT is((SELECT count(*) FROM cityops.incident WHERE dedup_key = 'test:flood:1'), 1::bigint,
	'no second incident');

CREATE TEMP TABLE r3 AS
	SELECT * FROM cityops.incident_raise('flood', 2, '南桥镇', '演练积水', '', '', 'sensor',
		'test:flood:1', true);
SELECT is((SELECT merged FROM r3), false, 'an exercise with the same key does not merge into a real incident');
SELECT is((SELECT count(*) FROM cityops.queue(p_limit => 1000) WHERE ref = (SELECT ref FROM r3)), 0::bigint,
	'exercises stay out of the real queue');
SELECT is((SELECT count(*) FROM cityops.queue(p_exercise => true, p_limit => 1000) WHERE ref = (SELECT ref FROM r3)),
	1::bigint, 'and appear in the exercise queue');

-- Once closed, the key is free again.
SELECT cityops.incident_act((SELECT ref FROM r1), 'cancel', '测试撤销');
SELECT is((SELECT merged FROM cityops.incident_raise('flood', 2, '南桥镇', '新的积水', '', '', 'sensor',
	'test:flood:1', false)), false, 'a key of a finished incident raises anew');

-- Fallback '*' row for a category without its own.
CREATE TEMP TABLE r4 AS
	SELECT * FROM cityops.incident_raise('road', 3, '奉贤', '井盖', '', '', 'patrol', NULL, false);
SELECT is((SELECT ack_due - created_at FROM cityops.incident WHERE ref = (SELECT ref FROM r4)),
	(SELECT ack FROM cityops.sla_policy WHERE category_code = '*' AND priority = 3),
	'categories without a row use the * row');

SELECT * FROM finish();
ROLLBACK;
