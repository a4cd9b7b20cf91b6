-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- bench/db/prep.sql: what the generators share — streets for the districts
-- the demo leaves bare, the benchmark's supervisor login, the districts in
-- code order with the regions incidents land in, SLA per category and
-- priority, and the loop each final state has walked.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS bench;

-- ------------------------------------------------------------------------
-- Streets for the districts the demo leaves without any, so incidents
-- spread over all 16 districts and their streets.
INSERT INTO cityops.region (code, parent_code, name, level, lat, lon)
SELECT d.code || (200 + k)::text, d.code, d.short_name || '第' || k || '街道', 'street',
	d.lat + 0.02 * ((k % 3) - 1), d.lon + 0.02 * ((k / 3) % 3 - 1)
FROM cityops.region d CROSS JOIN generate_series(1, 8) k
WHERE d.level = 'district'
	AND NOT EXISTS (SELECT 1 FROM cityops.region s WHERE s.parent_code = d.code);

-- The benchmark's own operators: a city supervisor for the 20 dispatchers.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_super') THEN
		CREATE ROLE bench_super LOGIN;
	END IF;
	GRANT cityops_user TO bench_super;
END
$$;
INSERT INTO cityops.operator (login, display_name, role, scope_code)
	VALUES ('bench_super', '压测值班长', 'supervisor', '310000') ON CONFLICT DO NOTHING;

-- Districts in code order (index 0..15) and the regions incidents land in:
-- the district itself, its streets, grids and communities.
CREATE UNLOGGED TABLE bench.district AS
SELECT (row_number() OVER (ORDER BY code) - 1)::int AS didx, code, abbr, short_name,
	(SELECT array_agg(r.code ORDER BY r.code) FROM cityops.region r
		WHERE r.path <@ d.path) AS pool
FROM cityops.region d WHERE d.level = 'district';

-- SLA per (category, priority) with the '*' fallback, as sla_for does.
CREATE UNLOGGED TABLE bench.sla AS
SELECT c.code AS category_code, p AS priority, s.ack, s.dispatch, s.arrive, s.close
FROM cityops.category c CROSS JOIN generate_series(1, 4) p
CROSS JOIN LATERAL (SELECT * FROM cityops.sla_policy sp
	WHERE sp.category_code IN (c.code, '*') AND sp.priority = p
	ORDER BY sp.category_code = '*' LIMIT 1) s;

-- The loop each final state has walked: step 0 is the raise.
CREATE UNLOGGED TABLE bench.path (final text, step int, action text, from_state text,
	to_state text, actor_role text, note text);
INSERT INTO bench.path
SELECT f.final, s.step - 1, s.action, s.from_state, s.to_state, s.role, s.note
FROM (VALUES
	('closed',       '{raise,ack,dispatch,accept,arrive,resolve,verify,close}'::text[]),
	('unfounded',    '{raise,ack,unfounded}'),
	('cancelled',    '{raise,ack,cancel}'),
	('new',          '{raise}'),
	('acknowledged', '{raise,ack}'),
	('dispatched',   '{raise,ack,dispatch}'),
	('accepted',     '{raise,ack,dispatch,accept}'),
	('returned',     '{raise,ack,dispatch,return}'),
	('on_scene',     '{raise,ack,dispatch,accept,arrive}'),
	('resolved',     '{raise,ack,dispatch,accept,arrive,resolve}'),
	('verified',     '{raise,ack,dispatch,accept,arrive,resolve,verify}'),
	('reopened',     '{raise,ack,dispatch,accept,arrive,resolve,verify,close,reopen}')
) f(final, acts)
CROSS JOIN LATERAL unnest(f.acts) WITH ORDINALITY a(action, step)
CROSS JOIN LATERAL (SELECT a.step, a.action, x.from_state, x.to_state, x.role, x.note
	FROM (VALUES
		('raise', NULL, 'new', 'officer', NULL),
		('ack', 'new', 'acknowledged', 'officer', NULL),
		('dispatch', 'acknowledged', 'dispatched', 'supervisor', NULL),
		('accept', 'dispatched', 'accepted', 'officer', NULL),
		('arrive', 'accepted', 'on_scene', 'officer', NULL),
		('resolve', 'on_scene', 'resolved', 'officer', '已处置完毕'),
		('verify', 'resolved', 'verified', 'supervisor', '回访确认'),
		('close', 'verified', 'closed', 'supervisor', NULL),
		('unfounded', 'acknowledged', 'unfounded', 'officer', '经核实不属实'),
		('cancel', 'acknowledged', 'cancelled', 'supervisor', '重复报告，已合并处理'),
		('return', 'dispatched', 'returned', 'officer', '不属本单位职责'),
		('reopen', 'closed', 'reopened', 'supervisor', '市民回访不满意，重新办理')
	) x(action, from_state, to_state, role, note)
	WHERE x.action = a.action) s;
-- Every step must be an allowed transition (raise aside).
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM bench.path p WHERE p.action <> 'raise' AND NOT EXISTS (
			SELECT 1 FROM cityops.transition t WHERE t.action = p.action
				AND t.from_state = p.from_state
				AND coalesce(t.to_state, t.from_state) = p.to_state)) THEN
		RAISE EXCEPTION 'bench path has a step the transition table does not allow';
	END IF;
END
$$;

