-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- bench/db/generate.sql: incidents at scale for bench/db-bench.
--
-- psql variables: incidents (total bench incidents), open (how many of them
-- stay open). Run as the superuser on a database that has the migrations
-- and the demo seed. Rows are written set-based, bypassing the write
-- functions, but with every column the functions and triggers would set:
-- ref (YYMMDD-NNNN per Shanghai day, continuing ref_counter), region_path,
-- the four SLA deadlines from sla_policy (category row, else '*'; renewed
-- at reopen), is_open / sla_stage / sla_due as incident_derive computes
-- them, a timeline in incident_event that walks the loop of the transition
-- table, assignments (released ones for history, one active per
-- dispatched / accepted / on_scene incident, each on its own unit, whose
-- status follows: dispatched / en_route / on_scene). verify.sql checks it.
--
-- Bulk history is not written to cityops.audit (it was not made through
-- the API); one audit row records the load.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET maintenance_work_mem = '1GB';
SET work_mem = '256MB';
SET synchronous_commit = off;

-- bench/db/prep.sql made bench.district, bench.sla and bench.path.

-- ------------------------------------------------------------------------
-- The incidents, oldest first over a year; the newest 90 % of the open
-- ones are the last few days' reports, the rest older stragglers.
CREATE UNLOGGED TABLE bench.inc AS
WITH p AS (
	SELECT :incidents::bigint AS n_all, :open::bigint AS n_open,
		round(0.9 * :open)::bigint AS o_recent, cityops.now() AS t_now
), q AS (
	SELECT p.*, greatest(1, least(97, (n_all - o_recent) / (n_open - o_recent + 1))) AS o_step
	FROM p
), g AS (
	SELECT n, q.t_now,
		q.t_now - interval '365 days' * ((q.n_all - n)::float8 / q.n_all)
			- make_interval(secs => 30 * random()) AS created_at,
		(n > q.n_all - q.o_recent
			OR ((q.n_all - q.o_recent - n) % q.o_step = 0
				AND (q.n_all - q.o_recent - n) / q.o_step BETWEEN 1 AND q.n_open - q.o_recent))
			AS open,
		random() AS r_state, random() AS r_prio, random() AS r_end,
		(random() * 16)::int % 16 AS didx, random() AS r_reg,
		(random() * 1000000)::int AS r_cat, (random() * 1000000)::int AS r_src
	FROM q, generate_series(1, q.n_all) n
)
SELECT g.n, g.created_at, g.open,
	CASE WHEN g.open THEN CASE
		WHEN g.r_state < 0.15 THEN 'new'
		WHEN g.r_state < 0.30 THEN 'acknowledged'
		WHEN g.r_state < 0.45 THEN 'dispatched'
		WHEN g.r_state < 0.55 THEN 'accepted'
		WHEN g.r_state < 0.58 THEN 'returned'
		WHEN g.r_state < 0.78 THEN 'on_scene'
		WHEN g.r_state < 0.90 THEN 'resolved'
		WHEN g.r_state < 0.97 THEN 'verified'
		ELSE 'reopened' END
	ELSE CASE
		WHEN g.r_state < 0.85 THEN 'closed'
		WHEN g.r_state < 0.93 THEN 'unfounded'
		ELSE 'cancelled' END
	END AS state,
	CASE WHEN g.r_prio < 0.05 THEN 1 WHEN g.r_prio < 0.25 THEN 2
		WHEN g.r_prio < 0.75 THEN 3 ELSE 4 END AS priority,
	(ARRAY['fire', 'flood', 'typhoon', 'traffic', 'crowd', 'gas', 'power', 'water',
		'medical', 'public_order', 'noise', 'city_mgmt', 'road', 'building', 'pollution',
		'metro'])[1 + g.r_cat % 16] AS category_code,
	(ARRAY['12345', '12345', '12345', '110', '119', '120', 'sensor', 'patrol', 'opinion',
		'officer'])[1 + g.r_src % 10] AS source,
	d.code AS district_code, d.abbr,
	d.pool[1 + floor(g.r_reg * cardinality(d.pool))::int] AS region_code,
	g.r_end, g.t_now
FROM g JOIN bench.district d ON d.didx = g.didx;

-- Deadlines and the end of each timeline: a closed case took a fraction
-- of its close SLA (capped at its age); an open one has been worked for
-- part of its age.
CREATE UNLOGGED TABLE bench.inc2 AS
SELECT i.*, s.ack, s.dispatch, s.arrive, s.close,
	CASE WHEN i.open
		THEN i.created_at + (i.t_now - i.created_at) * (0.3 + 0.6 * i.r_end)
		ELSE i.created_at + least(s.close * (0.2 + 0.9 * i.r_end),
			(i.t_now - i.created_at) * 0.9) END AS t_end,
	(SELECT max(step) FROM bench.path p WHERE p.final = i.state) AS last_step,
	(i.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
	r.path AS region_path, r.lat, r.lon
FROM bench.inc i
JOIN bench.sla s ON s.category_code = i.category_code AND s.priority = i.priority
JOIN cityops.region r ON r.code = i.region_code;
DROP TABLE bench.inc;

-- Refs continue each day's counter.
CREATE UNLOGGED TABLE bench.inc3 AS
SELECT i.*, to_char(i.day, 'YYMMDD') || '-' || CASE WHEN seq < 10000
		THEN lpad(seq::text, 4, '0') ELSE seq::text END AS ref,
	nextval('cityops.incident_id_seq') AS id
FROM (SELECT i.*, coalesce((SELECT last_value - (NOT is_called)::int FROM cityops.ref_seq) - c.base, 0)
		+ row_number() OVER (PARTITION BY i.day ORDER BY i.created_at, i.n) AS seq
	FROM bench.inc2 i LEFT JOIN cityops.ref_counter c ON c.day = i.day) i;
DROP TABLE bench.inc2;

-- The day's next number is nextval('ref_seq') - base (migration 040): a
-- base below the sequence's value by the day's highest number continues it.
INSERT INTO cityops.ref_counter AS c (day, base)
SELECT day, (SELECT last_value - (NOT is_called)::int FROM cityops.ref_seq) - max(substr(ref, 8)::bigint)
FROM bench.inc3 GROUP BY day
ON CONFLICT (day) DO UPDATE SET base = least(c.base, excluded.base);

-- ------------------------------------------------------------------------
-- Bulk load: secondary indexes are dropped and rebuilt afterwards; in
-- replica mode FK checks are off, and db-bench has switched the user
-- triggers of incident, incident_event, assignment and reading off for
-- the load (we computed what they compute; a million NOTIFYs are not
-- queued) and switches them back after.
CREATE TEMP TABLE saved_index AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i
WHERE i.indrelid IN ('cityops.incident'::regclass, 'cityops.incident_event'::regclass,
		'cityops.assignment'::regclass)
	AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);

BEGIN;
SELECT format('DROP INDEX %s', name) FROM saved_index \gexec
SET LOCAL session_replication_role = replica;

INSERT INTO cityops.incident (id, ref, priority, category_code, title, description, source,
	region_code, region_path, location, lat, lon, state, is_open, escalation, dedup_key,
	exercise, created_at, created_by, updated_at, ack_due, dispatch_due, arrive_due,
	close_due, sla_stage, sla_due)
SELECT i.id, i.ref, i.priority, i.category_code,
	c.name || ' · 压测事件 ' || i.n, '压测生成的历史事件', i.source,
	i.region_code, i.region_path,
	-- A place to search by (issue 14's find): one of 64 road names, a
	-- house number and sometimes a landmark, so substrings range from
	-- rare (a number on one road) to common (路).
	d.short_name || (ARRAY['南京', '淮海', '延安', '中山', '四川', '西藏', '漕溪', '虹桥',
		'长宁', '天山', '武宁', '曹杨', '真北', '共和', '广中', '四平', '大连', '控江',
		'黄兴', '翔殷', '殷行', '国权', '邯郸', '逸仙', '场中', '共康', '泰和', '友谊',
		'牡丹江', '同济', '塘桥', '浦建', '世纪', '张杨', '杨高', '东方', '源深', '潍坊',
		'崂山', '锦绣', '龙阳', '芳华', '高科', '川沙', '华夏', '沪南', '周康', '航头',
		'闵行', '莘庄', '七莘', '春申', '都市', '沪闵', '吴中', '龙吴', '田林', '桂林',
		'宜山', '钦州', '柳州', '老沪闵', '凯旋', '番禺'])[1 + (i.n * 7919) % 64]
		|| (ARRAY['路', '路', '路', '街', '大道', '公路'])[1 + (i.n * 31) % 6]
		|| (1 + (i.n * 104729) % 1999)::text || '号'
		|| CASE (i.n * 13) % 10 WHEN 0 THEN '地铁站出口' WHEN 1 THEN '小区门口'
			WHEN 2 THEN '菜市场' WHEN 3 THEN '学校旁' ELSE '' END,
	i.lat + 0.004 * (i.r_end - 0.5),
	i.lon + 0.004 * (0.5 - i.r_end), i.state, st.is_open, 0,
	CASE WHEN i.source = 'sensor' THEN 'bench-' || i.n END, false,
	i.created_at, 'officer_city', i.t_end,
	x.ack_due, x.dispatch_due, x.arrive_due, x.close_due,
	st.sla_stage, CASE st.sla_stage WHEN 'ack' THEN x.ack_due
		WHEN 'dispatch' THEN x.dispatch_due WHEN 'arrive' THEN x.arrive_due
		WHEN 'close' THEN x.close_due END
FROM bench.inc3 i
JOIN cityops.category c ON c.code = i.category_code
JOIN cityops.state st ON st.name = i.state
JOIN bench.district d ON d.abbr = i.abbr
CROSS JOIN LATERAL (SELECT i.created_at + i.ack AS ack_due,
	CASE WHEN i.state = 'reopened' THEN i.t_end ELSE i.created_at END + i.dispatch AS dispatch_due,
	CASE WHEN i.state = 'reopened' THEN i.t_end ELSE i.created_at END + i.arrive AS arrive_due,
	CASE WHEN i.state = 'reopened' THEN i.t_end ELSE i.created_at END + i.close AS close_due) x
ORDER BY i.id;

-- Units for the active assignments: one per dispatched / accepted /
-- on_scene incident, of the first kind its category calls for, homed in
-- its district; plus three available units per district and kind, and
-- the dispatch benchmark's own units (BENCH-F001 …), all available.
-- Units go in with their triggers (region_path, NOTIFY): there are few.
-- (Units are not among the tables whose triggers are off.)
SET LOCAL session_replication_role = origin;
CREATE UNLOGGED TABLE bench.active AS
SELECT i.id AS incident_id, i.state, i.district_code, i.abbr, c.unit_kinds[1] AS kind,
	row_number() OVER (PARTITION BY i.abbr, c.unit_kinds[1] ORDER BY i.id) AS k
FROM bench.inc3 i JOIN cityops.category c ON c.code = i.category_code
WHERE i.state IN ('dispatched', 'accepted', 'on_scene');

INSERT INTO cityops.unit (callsign, name, kind, department_code, region_code, lat, lon,
	status, updated_at)
SELECT a.abbr || '-' || a.kind || lpad(a.k::text, 4, '0'),
	d.short_name || ' 压测' || k.name_zh || '单元 ' || a.k, a.kind,
	(SELECT code FROM cityops.department ORDER BY code LIMIT 1),
	a.district_code, r.lat, r.lon,
	CASE a.state WHEN 'dispatched' THEN 'dispatched' WHEN 'accepted' THEN 'en_route'
		ELSE 'on_scene' END, cityops.now()
FROM bench.active a JOIN bench.district d ON d.abbr = a.abbr
JOIN cityops.unit_kind k ON k.code = a.kind JOIN cityops.region r ON r.code = a.district_code;

INSERT INTO cityops.unit (callsign, name, kind, department_code, region_code, lat, lon)
SELECT d.abbr || '-' || k.code || (9000 + n)::text, d.short_name || ' 压测' || k.name_zh || '备勤 ' || n,
	k.code, (SELECT code FROM cityops.department ORDER BY code LIMIT 1), d.code,
	r.lat + 0.01 * (n - 2), r.lon + 0.01 * (n - 2)
FROM bench.district d CROSS JOIN cityops.unit_kind k CROSS JOIN generate_series(1, 3) n
JOIN cityops.region r ON r.code = d.code;

INSERT INTO cityops.unit (callsign, name, kind, department_code, region_code, lat, lon)
SELECT 'BENCH-F' || lpad(n::text, 3, '0'), '压测派单消防车 ' || n, 'F',
	(SELECT code FROM cityops.department ORDER BY code LIMIT 1), '310120', 30.918, 121.474
FROM generate_series(1, 200) n;
SET LOCAL session_replication_role = replica;

-- The unit on each incident that was ever dispatched: its own bench unit
-- while the assignment is active, else the district's F01 / A01 / P01.
CREATE UNLOGGED TABLE bench.unitof AS
SELECT i.id AS incident_id, coalesce(a.abbr || '-' || a.kind || lpad(a.k::text, 4, '0'),
	i.abbr || '-' || CASE WHEN c.unit_kinds && '{F}' THEN 'F'
		WHEN c.unit_kinds && '{A}' THEN 'A' ELSE 'P' END || '01') AS callsign
FROM bench.inc3 i
JOIN cityops.category c ON c.code = i.category_code
LEFT JOIN bench.active a ON a.incident_id = i.id
WHERE EXISTS (SELECT 1 FROM bench.path p WHERE p.final = i.state AND p.action = 'dispatch');

-- The timelines, in the order they happened.
INSERT INTO cityops.incident_event (incident_id, region_path, at, actor, action, from_state,
	to_state, unit, note)
SELECT i.id, i.region_path,
	i.created_at + (i.t_end - i.created_at) * (p.step::float8 / greatest(i.last_step, 1)) AS at,
	CASE p.actor_role WHEN 'officer' THEN 'officer_city' ELSE 'super_city' END,
	p.action, p.from_state, p.to_state,
	CASE WHEN p.action = 'dispatch' THEN u.callsign END,
	CASE WHEN p.action = 'raise' THEN i.source ELSE p.note END
FROM bench.inc3 i
JOIN bench.path p ON p.final = i.state
LEFT JOIN bench.unitof u ON u.incident_id = i.id
ORDER BY at, i.id, p.step;

-- Assignments: from the dispatch step, released at resolve or return
-- (the same instants as on the timeline).
INSERT INTO cityops.assignment (incident_id, unit_id, region_path, assigned_at, assigned_by,
	released_at, released_by)
SELECT i.id, un.id, i.region_path,
	i.created_at + (i.t_end - i.created_at) * (pd.step::float8 / greatest(i.last_step, 1)),
	'super_city',
	i.created_at + (i.t_end - i.created_at) * (pr.step::float8 / greatest(i.last_step, 1)),
	CASE WHEN pr.step IS NOT NULL THEN 'officer_city' END
FROM bench.inc3 i
JOIN bench.path pd ON pd.final = i.state AND pd.action = 'dispatch'
LEFT JOIN bench.path pr ON pr.final = i.state AND pr.action IN ('resolve', 'return')
JOIN bench.unitof u ON u.incident_id = i.id
JOIN cityops.unit un ON un.callsign = u.callsign
ORDER BY 4;

SELECT def FROM saved_index \gexec
INSERT INTO cityops.audit (actor, action, object, detail)
VALUES (session_user, 'bench.load', 'incidents',
	jsonb_build_object('incidents', :incidents, 'open', :open));
COMMIT;

DROP TABLE bench.inc3, bench.active, bench.unitof;

-- What `find` searches (migration 056): its triggers were off above, so
-- the rows are written here as cityops.search_refresh writes them, one
-- statement for all, with the table's secondary indexes dropped during
-- the load and rebuilt after (a GIN index built at once is many times
-- faster than one maintained row by row).
CREATE TEMP TABLE saved_search_index AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i
WHERE i.indrelid = 'cityops.incident_search'::regclass
	AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
BEGIN;
SELECT format('DROP INDEX %s', name) FROM saved_search_index \gexec
INSERT INTO cityops.incident_search (incident_id, region_path, exercise, created_at, doc, grams)
SELECT i.id, i.region_path, i.exercise, i.created_at, d.doc, cityops.search_grams(d.doc)
FROM cityops.incident i
LEFT JOIN (SELECT e.incident_id, string_agg(e.note, E'\n' ORDER BY e.id) AS notes
	FROM cityops.incident_event e WHERE e.action = 'note' AND e.note IS NOT NULL
	GROUP BY e.incident_id) n ON n.incident_id = i.id
CROSS JOIN LATERAL (SELECT lower(concat_ws(E'\n', i.ref, i.title, i.location, i.description,
	n.notes)) AS doc) d
ON CONFLICT (incident_id) DO UPDATE SET region_path = excluded.region_path,
	exercise = excluded.exercise, doc = excluded.doc, grams = excluded.grams;
SELECT def FROM saved_search_index \gexec
COMMIT;
ANALYZE cityops.incident_search;

-- The evaluation reads incident_step (migration 060), which the timeline's
-- trigger keeps; triggers were off above, so it is filled here the way
-- the migration fills it for existing data.
BEGIN;
INSERT INTO cityops.incident_step (incident_id, region_path, category_code, priority, exercise,
	department_code, created_at, ack_due, dispatch_due, arrive_due, close_due, ack_at,
	dispatch_at, arrive_at, close_at, end_state, returns, reopens, escalations)
SELECT i.id, i.region_path, i.category_code, i.priority, i.exercise, u.department_code,
	i.created_at, i.ack_due, i.dispatch_due, i.arrive_due, i.close_due, e.ack_at,
	e.dispatch_at, e.arrive_at, e.close_at, e.end_state, e.returns, e.reopens, e.escalations
FROM cityops.incident i
JOIN (
	SELECT incident_id,
		min(at) FILTER (WHERE from_state = 'new' AND to_state IS NOT NULL
			AND to_state <> 'new') AS ack_at,
		min(at) FILTER (WHERE to_state = 'dispatched') AS dispatch_at,
		min(at) FILTER (WHERE to_state = 'on_scene') AS arrive_at,
		min(at) FILTER (WHERE to_state IN ('closed', 'unfounded', 'cancelled')) AS close_at,
		(array_agg(to_state ORDER BY at) FILTER (WHERE to_state IN ('closed', 'unfounded',
			'cancelled')))[1] AS end_state,
		count(*) FILTER (WHERE action = 'return') AS returns,
		count(*) FILTER (WHERE action = 'reopen') AS reopens,
		count(*) FILTER (WHERE action = 'escalate') AS escalations
	FROM cityops.incident_event GROUP BY incident_id
) e ON e.incident_id = i.id
LEFT JOIN LATERAL (
	SELECT un.department_code FROM cityops.assignment a JOIN cityops.unit un ON un.id = a.unit_id
	WHERE a.incident_id = i.id ORDER BY a.assigned_at, a.id LIMIT 1
) u ON true
ON CONFLICT (incident_id) DO NOTHING;
COMMIT;
ANALYZE cityops.incident_step;
