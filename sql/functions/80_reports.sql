-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The map pane's tiles, the shift handover (交接班) and the evaluation
-- report (评估评价): issue 15, migration 060, docs/console.md "Map" and
-- "Reports". Every reader here runs as the caller, so row-level security
-- limits it to the caller's scope.

-- ------------------------------------------------------------------------
-- The map: the region's children with everything a tile shows. A superset
-- of region_children's columns, so the desk reads both with one reader:
-- open real incidents by priority, the three worst indicators and the
-- three newest open incidents, each as one line "name␟value␟state" or
-- "ref␟priority␟title" separated by newlines.
--
-- One pass over the open incidents and the indicators under the region,
-- each row placed in its child by its path's next label; not a query per
-- child: under row-level security a child's path condition is only a
-- filter after the policy's index condition, so each child read every
-- open incident in scope (32 reads of 10,000 for the city: p50 500 ms at
-- 1 M incidents, bench/db-bench "map tiles").
CREATE OR REPLACE FUNCTION cityops.region_map(p_region text)
RETURNS TABLE (code text, name text, short_name text, level text, open_incidents int,
	worst_indicator text, worst_state text, worst_value numeric,
	p1 int, p2 int, p3 int, p4 int, indicators text, incidents text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_code text;
	v_path ltree;
	v_now timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	v_code := region_resolve(p_region);
	SELECT r.path INTO v_path FROM region r WHERE r.code = v_code;
	RETURN QUERY
	WITH inc AS MATERIALIZED (
		-- the child's path is the first nlevel(v_path) + 1 labels
		SELECT subpath(i.region_path, 0, least(nlevel(i.region_path), nlevel(v_path) + 1))
			AS child, i.id, i.ref, i.priority, i.title, i.created_at
		FROM incident i
		WHERE i.is_open AND NOT i.exercise AND i.region_path <@ v_path
	), ind AS MATERIALIZED (
		SELECT subpath(i.region_path, 0, least(nlevel(i.region_path), nlevel(v_path) + 1))
			AS child, i.id, i.name, i.last_value, s.state, state_severity(s.state) AS sev
		FROM indicator i
		CROSS JOIN LATERAL (SELECT indicator_state(i.last_state, i.last_at, i.stale_s,
			v_now) AS state) s
		WHERE i.region_path <@ v_path AND NOT i.exercise
			AND s.state IN ('alarm', 'warn', 'stale')
	), counts AS (
		SELECT inc.child, count(*) FILTER (WHERE inc.priority = 1)::int AS p1,
			count(*) FILTER (WHERE inc.priority = 2)::int AS p2,
			count(*) FILTER (WHERE inc.priority = 3)::int AS p3,
			count(*) FILTER (WHERE inc.priority = 4)::int AS p4
		FROM inc GROUP BY inc.child
	), newest AS (
		SELECT y.child, string_agg(concat_ws(E'\x1f', y.ref, y.priority::text, y.title), E'\n'
			ORDER BY y.created_at DESC, y.id DESC) AS lines
		FROM (SELECT inc.*, row_number() OVER (PARTITION BY inc.child
				ORDER BY inc.created_at DESC, inc.id DESC) AS n FROM inc) y
		WHERE y.n <= 3 GROUP BY y.child
	), worst AS (
		SELECT x.child, string_agg(concat_ws(E'\x1f', x.name, x.last_value::text, x.state),
			E'\n' ORDER BY x.sev DESC, x.id) AS lines
		FROM (SELECT ind.*, row_number() OVER (PARTITION BY ind.child
				ORDER BY ind.sev DESC, ind.id) AS n FROM ind) x
		WHERE x.n <= 3 GROUP BY x.child
	)
	SELECT c.code, c.name, r.short_name, c.level, c.open_incidents, c.worst_indicator,
		c.worst_state, c.worst_value, coalesce(n.p1, 0), coalesce(n.p2, 0),
		coalesce(n.p3, 0), coalesce(n.p4, 0), w.lines, o.lines
	FROM region_children(v_code) c
	JOIN region r ON r.code = c.code
	LEFT JOIN counts n ON n.child = r.path
	LEFT JOIN worst w ON w.child = r.path
	LEFT JOIN newest o ON o.child = r.path
	ORDER BY c.code;
END
$$;

-- ------------------------------------------------------------------------
-- incident_step (migration 060): kept from the timeline as it grows.
CREATE OR REPLACE FUNCTION cityops.incident_step_track() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF NEW.action = 'raise' THEN
		INSERT INTO incident_step (incident_id, region_path, category_code, priority,
			exercise, created_at, ack_due, dispatch_due, arrive_due, close_due)
		SELECT i.id, i.region_path, i.category_code, i.priority, i.exercise, i.created_at,
			i.ack_due, i.dispatch_due, i.arrive_due, i.close_due
		FROM incident i WHERE i.id = NEW.incident_id
		ON CONFLICT (incident_id) DO NOTHING;
		RETURN NULL;
	END IF;
	UPDATE incident_step s SET
		ack_at = coalesce(s.ack_at, CASE WHEN NEW.from_state = 'new'
			AND NEW.to_state IS NOT NULL AND NEW.to_state <> 'new' THEN NEW.at END),
		dispatch_at = coalesce(s.dispatch_at,
			CASE WHEN NEW.to_state = 'dispatched' THEN NEW.at END),
		arrive_at = coalesce(s.arrive_at, CASE WHEN NEW.to_state = 'on_scene' THEN NEW.at END),
		close_at = coalesce(s.close_at, CASE WHEN NEW.to_state IN ('closed', 'unfounded',
			'cancelled') THEN NEW.at END),
		end_state = coalesce(s.end_state, CASE WHEN NEW.to_state IN ('closed', 'unfounded',
			'cancelled') THEN NEW.to_state END),
		returns = s.returns + (NEW.action = 'return')::int,
		reopens = s.reopens + (NEW.action = 'reopen')::int,
		escalations = s.escalations + (NEW.action = 'escalate')::int,
		department_code = coalesce(s.department_code, (SELECT u.department_code FROM unit u
			WHERE NEW.action = 'dispatch' AND u.callsign = NEW.unit))
	WHERE s.incident_id = NEW.incident_id
		AND (NEW.to_state IS NOT NULL OR NEW.action IN ('return', 'reopen', 'escalate', 'dispatch'));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.incident_step_track() FROM PUBLIC;
DROP TRIGGER IF EXISTS incident_step_track ON cityops.incident_event;
CREATE TRIGGER incident_step_track AFTER INSERT ON cityops.incident_event
	FOR EACH ROW EXECUTE FUNCTION cityops.incident_step_track();

ALTER TABLE cityops.incident_step ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS in_scope ON cityops.incident_step;
CREATE POLICY in_scope ON cityops.incident_step FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
ALTER TABLE cityops.handover_note ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS in_scope ON cityops.handover_note;
CREATE POLICY in_scope ON cityops.handover_note FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));
-- A handover is seen by both officers and by everyone whose scope holds
-- the giver's.
ALTER TABLE cityops.handover ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS in_scope ON cityops.handover;
CREATE POLICY in_scope ON cityops.handover FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path())
		OR from_login = session_user OR to_login = session_user);

-- A time as an operator types it for a report: with a zone or offset as
-- written, without one in Shanghai time ('2026-11-01' is midnight there,
-- whatever the session's zone); NULL stays NULL; CO006 when it is no time.
CREATE OR REPLACE FUNCTION cityops.report_time(p text) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v text := btrim(p);
BEGIN
	IF v IS NULL OR v = '' THEN
		RETURN NULL;
	END IF;
	IF v ~* '([+-][0-9]{1,2}(:?[0-9]{2})?|z|utc|gmt|[a-z]+/[a-z_]+)$' THEN
		RETURN v::timestamptz;
	END IF;
	RETURN v::timestamp AT TIME ZONE 'Asia/Shanghai';
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow
		OR invalid_parameter_value THEN
	RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = format('not a time: %s', p),
		HINT = 'a date or time such as 2026-11-01 or "2026-11-01 08:00" (Shanghai time '
			'unless an offset such as +00 is given)';
END
$$;

-- ------------------------------------------------------------------------
-- The evaluation report. The cohort is the real incidents raised in
-- [p_from, p_to); "closed" counts those whose first closing fell in the
-- period, whenever raised. SLA compliance per step: of the cohort's
-- incidents that reached the step or whose deadline for it has passed,
-- the share that reached it by the deadline (an incident still inside its
-- deadline is not judged yet). Times are from raise to the step, in
-- seconds. One row per group (p_by: district, street, department,
-- category, unit) and a total row with grp_code NULL; with unit, an
-- incident counts under every unit dispatched to it.
CREATE OR REPLACE FUNCTION cityops.report_period(p_from timestamptz, p_to timestamptz,
	p_by text DEFAULT 'district')
RETURNS TABLE (grp_code text, grp text, raised bigint, closed bigint,
	ack_pct numeric, dispatch_pct numeric, arrive_pct numeric, close_pct numeric,
	ack_median_s bigint, ack_p90_s bigint, dispatch_median_s bigint, dispatch_p90_s bigint,
	arrive_median_s bigint, arrive_p90_s bigint, close_median_s bigint, close_p90_s bigint,
	returns bigint, return_reasons text, reopens bigint, unfounded_pct numeric,
	escalations bigint)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_by text := lower(coalesce(nullif(btrim(p_by), ''), 'district'));
	v_now timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	PERFORM check_one_of('by', v_by, ARRAY['district', 'street', 'department', 'category',
		'unit']);
	IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('the period must end after it starts (from %s to %s)', p_from, p_to);
	END IF;
	RETURN QUERY
	WITH s AS (
		SELECT st.*, st.created_at >= p_from AND st.created_at < p_to AS cohort,
			st.close_at >= p_from AND st.close_at < p_to AS closed_in
		FROM incident_step st
		WHERE NOT st.exercise AND ((st.created_at >= p_from AND st.created_at < p_to)
			OR (st.close_at >= p_from AND st.close_at < p_to))
	), g AS (
		SELECT s.*, k.code AS k_code
		FROM s
		CROSS JOIN LATERAL (
			SELECT CASE v_by
				WHEN 'district' THEN subltree(s.region_path, 1, 2)::text
				WHEN 'street' THEN subltree(s.region_path, least(2, nlevel(s.region_path) - 1),
					least(3, nlevel(s.region_path)))::text
				WHEN 'category' THEN s.category_code
				WHEN 'department' THEN coalesce(s.department_code, '-')
				END AS code
			WHERE v_by <> 'unit'
			UNION ALL
			SELECT DISTINCT u.callsign FROM assignment a JOIN unit u ON u.id = a.unit_id
			WHERE v_by = 'unit' AND a.incident_id = s.incident_id
		) k
	), m AS (
		SELECT g.k_code, g.cohort, g.closed_in, g.incident_id, g.returns, g.reopens,
			g.escalations, g.end_state,
			extract(epoch FROM g.ack_at - g.created_at) AS ack_s,
			extract(epoch FROM g.dispatch_at - g.created_at) AS dispatch_s,
			extract(epoch FROM g.arrive_at - g.created_at) AS arrive_s,
			extract(epoch FROM g.close_at - g.created_at) AS close_s,
			CASE WHEN g.ack_at IS NOT NULL OR g.ack_due < v_now
				THEN g.ack_at IS NOT NULL AND g.ack_at <= g.ack_due END AS ack_ok,
			CASE WHEN g.dispatch_at IS NOT NULL OR g.dispatch_due < v_now
				THEN g.dispatch_at IS NOT NULL AND g.dispatch_at <= g.dispatch_due END AS dispatch_ok,
			CASE WHEN g.arrive_at IS NOT NULL OR g.arrive_due < v_now
				THEN g.arrive_at IS NOT NULL AND g.arrive_at <= g.arrive_due END AS arrive_ok,
			CASE WHEN g.close_at IS NOT NULL OR g.close_due < v_now
				THEN g.close_at IS NOT NULL AND g.close_at <= g.close_due END AS close_ok
		FROM g
	), agg AS (
		SELECT m.k_code, GROUPING(m.k_code) = 1 AS is_total,
			count(*) FILTER (WHERE m.cohort) AS raised,
			count(*) FILTER (WHERE m.closed_in) AS closed,
			round(100.0 * count(*) FILTER (WHERE m.cohort AND m.ack_ok)
				/ nullif(count(*) FILTER (WHERE m.cohort AND m.ack_ok IS NOT NULL), 0), 1) AS ack_pct,
			round(100.0 * count(*) FILTER (WHERE m.cohort AND m.dispatch_ok)
				/ nullif(count(*) FILTER (WHERE m.cohort AND m.dispatch_ok IS NOT NULL), 0), 1)
				AS dispatch_pct,
			round(100.0 * count(*) FILTER (WHERE m.cohort AND m.arrive_ok)
				/ nullif(count(*) FILTER (WHERE m.cohort AND m.arrive_ok IS NOT NULL), 0), 1)
				AS arrive_pct,
			round(100.0 * count(*) FILTER (WHERE m.cohort AND m.close_ok)
				/ nullif(count(*) FILTER (WHERE m.cohort AND m.close_ok IS NOT NULL), 0), 1)
				AS close_pct,
			percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY m.ack_s)
				FILTER (WHERE m.cohort) AS ack_q,
			percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY m.dispatch_s)
				FILTER (WHERE m.cohort) AS dispatch_q,
			percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY m.arrive_s)
				FILTER (WHERE m.cohort) AS arrive_q,
			percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY m.close_s)
				FILTER (WHERE m.cohort) AS close_q,
			coalesce(sum(m.returns) FILTER (WHERE m.cohort), 0)::bigint AS returns,
			coalesce(sum(m.reopens) FILTER (WHERE m.cohort), 0)::bigint AS reopens,
			round(100.0 * count(*) FILTER (WHERE m.cohort AND m.end_state = 'unfounded')
				/ nullif(count(*) FILTER (WHERE m.cohort), 0), 1) AS unfounded_pct,
			coalesce(sum(m.escalations) FILTER (WHERE m.cohort), 0)::bigint AS escalations,
			array_agg(m.incident_id) FILTER (WHERE m.cohort AND m.returns > 0) AS returned_ids
		FROM m
		GROUP BY GROUPING SETS ((m.k_code), ())
	)
	SELECT a.k_code,
		CASE WHEN a.is_total THEN '合计'
			ELSE coalesce((SELECT r.name FROM region r WHERE v_by IN ('district', 'street')
					AND r.code = a.k_code),
				(SELECT c.name FROM category c WHERE v_by = 'category' AND c.code = a.k_code),
				(SELECT d.name FROM department d WHERE v_by = 'department' AND d.code = a.k_code),
				a.k_code) END,
		a.raised, a.closed, a.ack_pct, a.dispatch_pct, a.arrive_pct, a.close_pct,
		round(a.ack_q[1])::bigint, round(a.ack_q[2])::bigint,
		round(a.dispatch_q[1])::bigint, round(a.dispatch_q[2])::bigint,
		round(a.arrive_q[1])::bigint, round(a.arrive_q[2])::bigint,
		round(a.close_q[1])::bigint, round(a.close_q[2])::bigint,
		a.returns,
		(SELECT string_agg(format('%s×%s', x.reason, x.n), '; ' ORDER BY x.n DESC, x.reason)
			FROM (SELECT coalesce(e.note, '-') AS reason, count(*) AS n
				FROM incident_event e
				WHERE e.incident_id = ANY (a.returned_ids) AND e.action = 'return'
				GROUP BY 1) x),
		a.reopens, a.unfounded_pct, a.escalations
	FROM agg a
	ORDER BY a.is_total, a.k_code;
END
$$;

-- ------------------------------------------------------------------------
-- The shift handover (交接班).

-- Where a shift report starts by default: the last handover given from or
-- to the caller, else twelve hours ago.
CREATE OR REPLACE FUNCTION cityops.shift_start() RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT coalesce((SELECT max(h.at) FROM handover h
		WHERE h.from_login = session_user OR h.to_login = session_user),
		cityops.now() - interval '12 hours')
$$;

-- What happened in a shift in the caller's scope, one row per item:
-- section is raised, closed, open (still open at the report's time),
-- alarm_raised, alarm_cleared, alarm_active, mode, out_of_service, note,
-- handover. Incidents carry state, priority, SLA standing (sla_left_s,
-- negative when breached; NULL when closed), escalation and units.
CREATE OR REPLACE FUNCTION cityops.report_shift(p_from timestamptz DEFAULT NULL,
	p_to timestamptz DEFAULT NULL)
RETURNS TABLE (section text, at timestamptz, ref text, priority int, state text,
	sla_left_s bigint, escalation int, units text, detail text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_now timestamptz := cityops.now();
	v_from timestamptz;
	v_to timestamptz := coalesce(p_to, cityops.now());
BEGIN
	PERFORM caller();
	v_from := coalesce(p_from, shift_start());
	IF v_to <= v_from THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('the shift must end after it starts (from %s to %s)', v_from, v_to);
	END IF;
	RETURN QUERY
	WITH inc AS (
		SELECT i.*, st.close_at,
			(SELECT string_agg(u.callsign, ' ' ORDER BY u.callsign)
				FROM assignment a JOIN unit u ON u.id = a.unit_id
				WHERE a.incident_id = i.id AND a.released_at IS NULL) AS units_now
		FROM incident i LEFT JOIN incident_step st ON st.incident_id = i.id
		WHERE NOT i.exercise AND (i.is_open OR (i.created_at >= v_from AND i.created_at < v_to)
			OR (st.close_at >= v_from AND st.close_at < v_to))
	), rows AS (
		SELECT s.section, CASE s.section WHEN 'closed' THEN i.close_at ELSE i.created_at END AS at,
			i.ref, i.priority, i.state,
			CASE WHEN i.is_open AND i.sla_due IS NOT NULL
				THEN extract(epoch FROM i.sla_due - v_now)::bigint END AS sla_left_s,
			i.escalation, i.units_now, i.title AS detail
		FROM inc i
		CROSS JOIN LATERAL (VALUES
			(CASE WHEN i.created_at >= v_from AND i.created_at < v_to THEN 'raised' END),
			(CASE WHEN i.close_at >= v_from AND i.close_at < v_to THEN 'closed' END),
			(CASE WHEN i.is_open THEN 'open' END)) s(section)
		WHERE s.section IS NOT NULL
		UNION ALL
		SELECT 'alarm_raised', a.raised_at, a.indicator_id, NULL, a.level, NULL, NULL, NULL,
			format('%s %s', ind.name, a.value)
		FROM alarm a JOIN indicator ind ON ind.id = a.indicator_id
		WHERE NOT ind.exercise AND a.raised_at >= v_from AND a.raised_at < v_to
		UNION ALL
		SELECT 'alarm_cleared', a.cleared_at, a.indicator_id, NULL, a.level, NULL, NULL, NULL,
			format('%s %s', ind.name, a.value)
		FROM alarm a JOIN indicator ind ON ind.id = a.indicator_id
		WHERE NOT ind.exercise AND a.cleared_at >= v_from AND a.cleared_at < v_to
		UNION ALL
		SELECT 'alarm_active', a.raised_at, a.indicator_id, NULL, a.level, NULL, NULL, NULL,
			format('%s %s', ind.name, a.value)
		FROM alarm a JOIN indicator ind ON ind.id = a.indicator_id
		WHERE NOT ind.exercise AND a.state <> 'cleared'
		UNION ALL
		SELECT 'mode', m.set_at, NULL, NULL, m.mode, NULL, NULL, NULL,
			concat_ws(' ', m.level, m.kind, '·', m.reason, '·', m.set_by)
		FROM mode m WHERE m.set_at >= v_from AND m.set_at < v_to
		UNION ALL
		SELECT 'out_of_service', u.updated_at, u.callsign, NULL, u.status, NULL, NULL, NULL,
			u.name
		FROM unit u WHERE u.status = 'out_of_service'
		UNION ALL
		SELECT 'note', n.at, i.ref, NULL, NULL, NULL, NULL, NULL,
			format('%s: %s', n.actor, n.note)
		FROM handover_note n LEFT JOIN incident i ON i.id = n.incident_id
		WHERE n.at >= v_from AND n.at < v_to
		UNION ALL
		SELECT 'handover', h.at, NULL, NULL,
			CASE WHEN h.accepted_at IS NULL THEN 'pending' ELSE 'accepted' END, NULL, NULL, NULL,
			concat_ws(' ', h.from_login, '→', h.to_login, '·', h.note)
		FROM handover h WHERE h.at >= v_from AND h.at < v_to
	)
	SELECT r.section, r.at, r.ref, r.priority, r.state, r.sla_left_s, r.escalation,
		r.units_now, r.detail
	FROM rows r
	ORDER BY array_position(ARRAY['raised', 'closed', 'open', 'alarm_raised', 'alarm_cleared',
		'alarm_active', 'mode', 'out_of_service', 'note', 'handover'], r.section), r.at, r.ref;
END
$$;

-- The outgoing officer hands over to p_to (a login); audited, and every
-- console hears of it. Returns the handover.
CREATE OR REPLACE FUNCTION cityops.handover_give(p_to text, p_note text DEFAULT NULL)
RETURNS TABLE (id bigint, at timestamptz, from_login name, to_login name, note text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_to name;
	v_note text := nullif(btrim(p_note), '');
	v_row handover;
BEGIN
	PERFORM require_role(me, 'officer', 'handover');
	PERFORM check_length('note', v_note, 2000);
	SELECT o.login INTO v_to FROM operator o WHERE o.login = btrim(p_to);
	IF v_to IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no operator %s', p_to);
	END IF;
	IF v_to = session_user THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'a handover goes to someone else';
	END IF;
	INSERT INTO handover AS h (at, from_login, to_login, region_path, note)
		VALUES (cityops.now(), session_user, v_to, me.scope_path, v_note)
		RETURNING * INTO v_row;
	PERFORM audit_log('handover.give', v_to, jsonb_strip_nulls(jsonb_build_object(
		'id', v_row.id, 'note', v_note)));
	PERFORM change_emit('handover', v_row.id::text, NULL, NULL, false, jsonb_build_object(
		't', 'handover', 'id', v_row.id, 'from', session_user::text, 'to', v_to::text,
		'state', 'given'));
	RETURN QUERY SELECT v_row.id, v_row.at, v_row.from_login, v_row.to_login, v_row.note;
END
$$;

-- The incoming officer accepts the newest handover given to them that is
-- not yet accepted; CO001 when there is none.
CREATE OR REPLACE FUNCTION cityops.handover_accept()
RETURNS TABLE (id bigint, at timestamptz, from_login name, to_login name, note text,
	accepted_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_row handover;
BEGIN
	PERFORM require_role(me, 'officer', 'handover');
	UPDATE handover h SET accepted_at = cityops.now()
	WHERE h.id = (SELECT x.id FROM handover x WHERE x.to_login = session_user
		AND x.accepted_at IS NULL ORDER BY x.at DESC, x.id DESC LIMIT 1)
	RETURNING * INTO v_row;
	IF v_row.id IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = 'no handover is waiting for you';
	END IF;
	PERFORM audit_log('handover.accept', v_row.from_login, jsonb_build_object('id', v_row.id));
	PERFORM change_emit('handover', v_row.id::text, NULL, NULL, false, jsonb_build_object(
		't', 'handover', 'id', v_row.id, 'from', v_row.from_login::text,
		'to', session_user::text, 'state', 'accepted'));
	RETURN QUERY SELECT v_row.id, v_row.at, v_row.from_login, v_row.to_login, v_row.note,
		v_row.accepted_at;
END
$$;

-- The newest handover the caller may see (given or taken by them, or in
-- their scope), with both officers' names; no row when there is none.
CREATE OR REPLACE FUNCTION cityops.handover_last()
RETURNS TABLE (id bigint, at timestamptz, from_login name, from_name text, to_login name,
	to_name text, note text, accepted_at timestamptz)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT h.id, h.at, h.from_login, f.display_name, h.to_login, t.display_name, h.note,
		h.accepted_at
	FROM handover h
	JOIN operator f ON f.login = h.from_login
	JOIN operator t ON t.login = h.to_login
	ORDER BY h.at DESC, h.id DESC LIMIT 1
$$;

-- A note for the next shift (note --handover): on an incident's timeline
-- as a note (through incident_act, which checks role and scope) and in
-- the handover notes; without an incident, in the writer's scope.
CREATE OR REPLACE FUNCTION cityops.handover_note(p_incident text, p_note text)
RETURNS TABLE (id bigint, ref text, note text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_note text := require_text(p_note, 'a handover note needs text');
	v_inc incident;
	v_id bigint;
BEGIN
	PERFORM require_role(me, 'officer', 'note');
	PERFORM check_length('note', v_note, 2000);
	IF nullif(btrim(p_incident), '') IS NOT NULL THEN
		PERFORM incident_act(p_incident, 'note', v_note);
		SELECT * INTO v_inc FROM incident i WHERE i.id = incident_resolve(p_incident);
	END IF;
	INSERT INTO handover_note AS n (at, actor, region_path, incident_id, note)
		VALUES (cityops.now(), session_user, coalesce(v_inc.region_path, me.scope_path),
			v_inc.id, v_note)
		RETURNING n.id INTO v_id;
	PERFORM audit_log('handover.note', v_inc.ref, jsonb_build_object('id', v_id));
	RETURN QUERY SELECT v_id, v_inc.ref, v_note;
END
$$;

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
