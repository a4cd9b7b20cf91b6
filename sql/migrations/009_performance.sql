-- 009_performance: what bench/db-bench showed at 1 M incidents (10 k open),
-- 5 k indicators and 50 M readings (figures in docs/performance.md).
--
-- Row-level security stays the authority for every read: the functions
-- callers use are still SECURITY INVOKER. What changes is how the rows are
-- found. Under RLS the planner sees the policy's scope only as an InitPlan
-- parameter, estimates its GiST condition at 0.1 % of the table, and may
-- not use a caller's own region condition as an index condition (ltree's
-- operators are not leakproof, so they are evaluated after the policy):
-- the queue read every open incident of the caller's scope and sorted it,
-- and a drill-down did that once per child region for incidents and
-- again for indicators. The helpers below are SECURITY DEFINER, apply the
-- caller's scope themselves (so they return nothing the caller could not
-- see), and plan with the real values; the readers then fetch the few
-- rows they return through RLS as before.
--
-- Ingest: reading_apply judged a batch one indicator at a time (three
-- statements per indicator); it is now set-based, with the same result.

-- ------------------------------------------------------------------------
-- The queue.

-- Queue order without a sort of every open incident: breached cases first
-- (sla_due < now), then the rest, each by priority, sla_due, created_at —
-- which is this index's order once exercise is fixed.
CREATE INDEX incident_open_order ON cityops.incident (exercise, priority, sla_due, created_at, id)
	WHERE is_open;
DROP INDEX cityops.incident_open_queue;   -- a prefix of incident_open_order

-- The ids of the first p_limit incidents of the caller's queue, in queue
-- order. Scope: the caller's, narrowed to p_path when given. The query is
-- built with literals so that it is planned for this scope and these
-- filters (a street's few incidents by GiST and a sort; the whole city
-- by walking incident_open_order).
CREATE FUNCTION cityops.queue_ids(p_path ltree, p_state text, p_priority int, p_source text,
	p_all bool, p_exercise bool, p_limit int, p_now timestamptz)
RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public
AS $$
DECLARE
	me caller := caller();
	v_limit int := greatest(coalesce(p_limit, 50), 0);
	v_where text;
	v_ids bigint[];
	v_more bigint[];
BEGIN
	v_where := format('i.exercise = %L AND i.region_path <@ %L', coalesce(p_exercise, false),
		me.scope_path);
	IF p_path IS NOT NULL THEN
		v_where := v_where || format(' AND i.region_path <@ %L', p_path);
	END IF;
	IF NOT coalesce(p_all, false) THEN
		v_where := v_where || ' AND i.is_open';
	END IF;
	IF p_state IS NOT NULL THEN
		v_where := v_where || format(' AND i.state = %L', p_state);
	END IF;
	IF p_priority IS NOT NULL THEN
		v_where := v_where || format(' AND i.priority = %s', p_priority);
	END IF;
	IF p_source IS NOT NULL THEN
		v_where := v_where || format(' AND i.source = %L', p_source);
	END IF;
	-- Breached cases first; the others only when the page is not full.
	EXECUTE format($q$
		SELECT coalesce(array_agg(id ORDER BY priority, sla_due, created_at, id), '{}') FROM (
			SELECT i.id, i.priority, i.sla_due, i.created_at FROM incident i
			WHERE %s AND i.sla_due < %L
			ORDER BY i.priority, i.sla_due, i.created_at, i.id LIMIT %s) q
		$q$, v_where, p_now, v_limit)
	INTO v_ids;
	IF cardinality(v_ids) < v_limit THEN
		EXECUTE format($q$
			SELECT coalesce(array_agg(id ORDER BY priority, sla_due NULLS LAST, created_at, id), '{}')
			FROM (
				SELECT i.id, i.priority, i.sla_due, i.created_at FROM incident i
				WHERE %s AND (i.sla_due >= %L OR i.sla_due IS NULL)
				ORDER BY i.priority, i.sla_due NULLS LAST, i.created_at, i.id LIMIT %s) q
			$q$, v_where, p_now, v_limit - cardinality(v_ids))
		INTO v_more;
		v_ids := v_ids || v_more;
	END IF;
	RETURN v_ids;
END
$$;

CREATE OR REPLACE FUNCTION cityops.queue(p_state text DEFAULT NULL, p_region text DEFAULT NULL,
	p_priority int DEFAULT NULL, p_source text DEFAULT NULL, p_all bool DEFAULT false,
	p_exercise bool DEFAULT false, p_limit int DEFAULT 50)
RETURNS TABLE (id bigint, ref text, priority int, category text, category_name text,
	region_code text, region_name text, state text, source text, age_s bigint,
	sla_due timestamptz, sla_left_s bigint, title text, exercise bool, escalation int,
	units text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	v_path ltree;
	v_now timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	PERFORM check_one_of('state', p_state, ARRAY(SELECT name FROM state ORDER BY ord));
	PERFORM check_one_of('source', p_source,
		ARRAY['12345', '110', '119', '120', 'sensor', 'patrol', 'opinion', 'officer']);
	PERFORM check_priority(p_priority);
	IF p_region IS NOT NULL THEN
		SELECT path INTO v_path FROM region WHERE code = region_resolve(p_region);
	END IF;
	-- The rows themselves are read under RLS, by primary key.
	RETURN QUERY
	SELECT b.id, b.ref, b.priority, b.category, b.category_name, b.region_code, b.region_name,
		b.state, b.source, b.age_s, b.sla_due, b.sla_left_s, b.title, b.exercise,
		b.escalation, b.units
	FROM unnest(queue_ids(v_path, p_state, p_priority, p_source, p_all, p_exercise, p_limit,
		v_now)) WITH ORDINALITY q(id, ord)
	JOIN incident_board b ON b.id = q.id
	ORDER BY q.ord;
END
$$;

-- ------------------------------------------------------------------------
-- Drill-down: the roll-up of several regions in one pass.

-- Open incidents by region code, for counting without the heap when the
-- pages are all-visible.
CREATE INDEX incident_open_region_code ON cityops.incident (region_code)
	WHERE is_open AND NOT exercise;

-- Indicators by region code, for a small subtree's roll-up.
CREATE INDEX indicator_region_code ON cityops.indicator (region_code);

-- For each region in p_codes: the open real incidents in its subtree and
-- the worst vital sign there (alarm > warn > stale > normal > nodata,
-- then the lowest id), both limited to the caller's scope, as
-- region_rollup (008_drills) gives them under RLS for one region.
CREATE FUNCTION cityops.region_rollups(p_codes text[])
RETURNS TABLE (code text, open_incidents int, worst_indicator text, worst_state text,
	worst_value numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public
	-- planned for the actual regions and scope each time: a generic plan
	-- cannot tell a street from the whole city
	SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_now timestamptz := cityops.now();
BEGIN
	RETURN QUERY
	WITH target AS (
		SELECT r.code, r.path FROM region r WHERE r.code = ANY (p_codes)
	), leaf AS (
		-- every region under a target and inside the scope, with its target
		SELECT t.code AS target, r.code
		FROM target t JOIN region r ON r.path <@ t.path
		WHERE r.path <@ me.scope_path
	), counted AS (
		-- per region code, from incident_open_region_code
		SELECT l.target, sum(c.n)::int AS n
		FROM leaf l CROSS JOIN LATERAL (SELECT count(*) AS n FROM incident i
			WHERE i.is_open AND NOT i.exercise AND i.region_code = l.code) c
		GROUP BY l.target
	), graded AS (
		-- one pass, no sort: the worst severity per target and the
		-- lowest id at each severity
		SELECT l.target, max(s.sev) AS sev,
			min(i.id) FILTER (WHERE s.sev = 4) AS id4, min(i.id) FILTER (WHERE s.sev = 3) AS id3,
			min(i.id) FILTER (WHERE s.sev = 2) AS id2, min(i.id) FILTER (WHERE s.sev = 1) AS id1,
			min(i.id) FILTER (WHERE s.sev = 0) AS id0
		FROM indicator i JOIN leaf l ON l.code = i.region_code
		CROSS JOIN LATERAL (SELECT state_severity(
			indicator_state(i.last_state, i.last_at, i.stale_s, v_now)) AS sev) s
		WHERE NOT i.exercise          -- drill indicators stay out (008_drills)
		GROUP BY l.target
	), worst AS (
		SELECT g.target, i.id, i.last_value,
			indicator_state(i.last_state, i.last_at, i.stale_s, v_now) AS state
		FROM graded g JOIN indicator i ON i.id = CASE g.sev WHEN 4 THEN g.id4 WHEN 3 THEN g.id3
			WHEN 2 THEN g.id2 WHEN 1 THEN g.id1 ELSE g.id0 END
	)
	SELECT t.code, coalesce(c.n, 0), w.id, coalesce(w.state, 'nodata'), w.last_value
	FROM target t
	LEFT JOIN counted c ON c.target = t.code
	LEFT JOIN worst w ON w.target = t.code;
END
$$;

CREATE OR REPLACE FUNCTION cityops.region_get(p_region text)
RETURNS TABLE (code text, name text, level text, breadcrumb text, open_incidents int,
	worst_indicator text, worst_state text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	v_code text;
BEGIN
	PERFORM caller();
	v_code := region_resolve(p_region);
	RETURN QUERY
	SELECT r.code, r.name, r.level, breadcrumb(r.path), x.open_incidents,
		x.worst_indicator, x.worst_state
	FROM region r JOIN region_rollups(ARRAY[v_code]) x ON x.code = r.code
	WHERE r.code = v_code;
END
$$;

CREATE OR REPLACE FUNCTION cityops.region_children(p_region text)
RETURNS TABLE (code text, name text, level text, open_incidents int, worst_indicator text,
	worst_state text, worst_value numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	v_code text;
BEGIN
	PERFORM caller();
	v_code := region_resolve(p_region);
	RETURN QUERY
	SELECT r.code, r.name, r.level, x.open_incidents, x.worst_indicator, x.worst_state,
		x.worst_value
	FROM region r
	JOIN region_rollups(ARRAY(SELECT c.code FROM region c WHERE c.parent_code = v_code)) x
		ON x.code = r.code
	WHERE r.parent_code = v_code
	ORDER BY r.code;
END
$$;

-- ------------------------------------------------------------------------
-- History: the reading policy is an EXISTS on indicator per row; the
-- function has checked the indicator is visible already, so its readings
-- are read without RLS, by primary key (scope checked again here).
CREATE FUNCTION cityops.reading_history(p_indicator text, p_from timestamptz)
RETURNS TABLE (at timestamptz, value numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	IF NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = p_indicator
			AND i.region_path <@ me.scope_path) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_indicator);
	END IF;
	RETURN QUERY
	SELECT r.at, r.value FROM reading r
	WHERE r.indicator_id = p_indicator AND r.at >= p_from
	ORDER BY r.at;
END
$$;

CREATE OR REPLACE FUNCTION cityops.indicator_history(p_indicator text, p_hours int DEFAULT 24)
RETURNS TABLE (at timestamptz, value numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
AS $$
#variable_conflict use_column
BEGIN
	PERFORM caller();
	IF NOT EXISTS (SELECT 1 FROM indicator WHERE id = p_indicator) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_indicator);
	END IF;
	IF coalesce(p_hours, 24) NOT BETWEEN 1 AND 24 * 366 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'hours must be 1 to 8784';
	END IF;
	RETURN QUERY
	SELECT h.at, h.value
	FROM reading_history(p_indicator,
		cityops.now() - make_interval(hours => coalesce(p_hours, 24))) h;
END
$$;

-- ------------------------------------------------------------------------
-- Ingest: the indicator state machine, set-based. As before: the newest
-- reading of each indicator in the batch decides its state (late readings
-- only go to history); a normal state clears the open alarm, a warn or
-- alarm state raises one or changes its level (a rise to alarm needs a
-- fresh acknowledgement). Indicators are locked in id order first, as the
-- old loop did, so concurrent batches cannot deadlock; each later
-- statement sees the alarms a batch committed while this one waited.
CREATE OR REPLACE FUNCTION cityops.reading_apply() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public
AS $$
DECLARE
	v_ids text[];
	v_ats timestamptz[];
	v_values numeric[];
	v_states text[];
BEGIN
	SELECT array_agg(s.indicator_id ORDER BY s.indicator_id), array_agg(s.at ORDER BY s.indicator_id),
		array_agg(s.value ORDER BY s.indicator_id), array_agg(s.state ORDER BY s.indicator_id)
	INTO v_ids, v_ats, v_values, v_states
	FROM (
		SELECT DISTINCT ON (n.indicator_id) n.indicator_id, n.at, n.value,
			threshold_state(n.value, i.last_state, i.side, i.warn, i.alarm, i.hysteresis) AS state
		FROM new_rows n JOIN indicator i ON i.id = n.indicator_id
		WHERE i.last_at IS NULL OR n.at >= i.last_at
		ORDER BY n.indicator_id, n.at DESC
	) s;
	IF v_ids IS NULL THEN
		RETURN NULL;
	END IF;

	PERFORM 1 FROM indicator WHERE id = ANY (v_ids) ORDER BY id FOR UPDATE;
	UPDATE indicator i SET last_value = u.value, last_at = u.at, last_state = u.state
	FROM unnest(v_ids, v_ats, v_values, v_states) AS u(id, at, value, state)
	WHERE i.id = u.id;

	UPDATE alarm a SET state = 'cleared', cleared_at = u.at, value = u.value
	FROM unnest(v_ids, v_ats, v_values, v_states) AS u(id, at, value, state)
	WHERE u.state = 'normal' AND a.indicator_id = u.id AND a.state <> 'cleared';

	UPDATE alarm a SET level = u.state, value = u.value,
		state = CASE WHEN u.state = 'alarm' THEN 'raised' ELSE a.state END
	FROM unnest(v_ids, v_ats, v_values, v_states) AS u(id, at, value, state)
	WHERE u.state <> 'normal' AND a.indicator_id = u.id AND a.state <> 'cleared'
		AND a.level <> u.state;

	INSERT INTO alarm (indicator_id, region_path, level, value, raised_at)
	SELECT u.id, i.region_path, u.state, u.value, u.at
	FROM unnest(v_ids, v_ats, v_values, v_states) AS u(id, at, value, state)
	JOIN indicator i ON i.id = u.id
	WHERE u.state <> 'normal' AND NOT EXISTS (SELECT 1 FROM alarm a
		WHERE a.indicator_id = u.id AND a.state <> 'cleared')
	ORDER BY u.id;
	RETURN NULL;
END
$$;


-- ------------------------------------------------------------------------
-- Refs past 9999 a day. next_ref padded with lpad(last, 4), which also
-- cuts: the 10000th raise of a day got 'YYMMDD-1000' again and failed on
-- the unique ref (20 dispatchers in the benchmark raise ~100 a second).
-- The ref format allows more digits; they are now kept.
CREATE OR REPLACE FUNCTION cityops.next_ref(p_at timestamptz) RETURNS text
LANGUAGE sql SET search_path = cityops, public
AS $$
	INSERT INTO ref_counter AS c (day, last)
		VALUES ((p_at AT TIME ZONE 'Asia/Shanghai')::date, 1)
		ON CONFLICT (day) DO UPDATE SET last = c.last + 1
		RETURNING to_char(day, 'YYMMDD') || '-'
			|| CASE WHEN last < 10000 THEN lpad(last::text, 4, '0') ELSE last::text END
$$;

-- New functions: nothing for PUBLIC, everything for cityops_user.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
