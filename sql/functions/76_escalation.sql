-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Escalation that happens by itself (自动督办, issue 14; migration 050):
-- the policy in force, its steps for an incident, the scheduler's pass
-- (escalate_due) and the admin's edits of the policy.

-- The escalation policy in force: the one the current emergency mode
-- names (migration 051; the drill's own in a drill session), else 'peace'.
CREATE OR REPLACE FUNCTION cityops.escalation_policy_in_force() RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT coalesce((SELECT p.escalation_policy FROM mode_policy p
		WHERE (p.kind, p.level) = (m.kind, m.level)), 'peace')
	FROM mode_now() m
$$;

-- The steps of a policy for a category and priority: the category's own
-- rows when it has any, else the '*' rows.
CREATE OR REPLACE FUNCTION cityops.escalation_steps(p_policy text, p_category text,
	p_priority int)
RETURNS TABLE (step int, after interval)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT e.step, e.after FROM escalation_policy e
	WHERE e.policy = p_policy AND e.priority = p_priority
		AND e.category_code = CASE WHEN EXISTS (SELECT 1 FROM escalation_policy x
			WHERE x.policy = p_policy AND x.category_code = p_category
				AND x.priority = p_priority) THEN p_category ELSE '*' END
	ORDER BY e.step
$$;

-- One escalation pass, run by the scheduler (`cityops escalate-due`): every
-- open real incident in the caller's scope whose pending deadline is past
-- by a step's delay, and whose step has not fired, is escalated by one
-- level (3 at most), with a timeline row by 'system' (the timeline trigger
-- NOTIFYs every console) and an audit row by the scheduler's login. The
-- primary key of escalation_fired makes each step of each breach fire
-- exactly once, whatever number of schedulers run at the same time: a
-- second one waits on the first's row and then finds it taken. Exercise
-- incidents run on the drill clock and are left to the drill.
CREATE OR REPLACE FUNCTION cityops.escalate_due(p_limit int DEFAULT 500)
RETURNS TABLE (ref text, stage text, step int, escalation int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_now timestamptz := cityops.now();
	v_policy text := escalation_policy_in_force();
	c record;
	v_inc incident;
	v_new int;
	v_n int;
BEGIN
	PERFORM require_role(me, 'officer', 'escalate-due');
	FOR c IN
		SELECT i.id, i.sla_stage, i.sla_due, s.step, s.after
		FROM incident i
		CROSS JOIN LATERAL escalation_steps(v_policy, i.category_code, i.priority) s
		WHERE i.is_open AND NOT i.exercise AND i.sla_due IS NOT NULL
			AND i.sla_due + s.after <= v_now AND i.region_path <@ me.scope_path
			AND NOT EXISTS (SELECT 1 FROM escalation_fired f WHERE f.incident_id = i.id
				AND f.sla_stage = i.sla_stage AND f.sla_due = i.sla_due AND f.step = s.step)
		ORDER BY i.id, s.step
		LIMIT greatest(1, least(coalesce(p_limit, 500), 5000))
	LOOP
		-- The incident may have moved on since the scan: lock, look again.
		SELECT * INTO v_inc FROM incident i WHERE i.id = c.id FOR UPDATE;
		CONTINUE WHEN NOT v_inc.is_open OR v_inc.sla_stage IS DISTINCT FROM c.sla_stage
			OR v_inc.sla_due IS DISTINCT FROM c.sla_due;
		INSERT INTO escalation_fired (incident_id, sla_stage, sla_due, step, region_path,
			policy, fired_by)
			VALUES (c.id, c.sla_stage, c.sla_due, c.step, v_inc.region_path, v_policy,
				session_user)
			ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS v_n = ROW_COUNT;
		CONTINUE WHEN v_n = 0;
		v_new := least(v_inc.escalation + 1, 3);
		UPDATE incident i SET escalation = v_new, updated_at = v_now WHERE i.id = c.id;
		INSERT INTO incident_event (incident_id, region_path, at, actor, action, from_state,
			to_state, unit, note)
		VALUES (c.id, v_inc.region_path, v_now, 'system', 'escalate', v_inc.state,
			v_inc.state, NULL,
			format('升级 %s → %s; 自动督办: %s超时 %s 分钟 (%s 第 %s 步)',
				v_inc.escalation, v_new,
				coalesce((SELECT a.label_zh FROM action a WHERE a.name = c.sla_stage), c.sla_stage),
				floor(extract(epoch FROM v_now - c.sla_due) / 60)::bigint, v_policy, c.step));
		PERFORM audit_log('incident.escalate.auto', v_inc.ref, jsonb_build_object(
			'from', v_inc.escalation, 'to', v_new, 'stage', c.sla_stage,
			'due', c.sla_due, 'policy', v_policy, 'step', c.step));
		RETURN QUERY SELECT v_inc.ref, c.sla_stage, c.step, v_new;
	END LOOP;
END
$$;

-- The policies, the one in force marked, for `escalation`.
CREATE OR REPLACE FUNCTION cityops.escalation_policies(p_policy text DEFAULT NULL)
RETURNS TABLE (policy text, category_code text, priority int, step int, after interval,
	in_force bool)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM caller();
	RETURN QUERY
	SELECT e.policy, e.category_code, e.priority, e.step, e.after,
		e.policy = escalation_policy_in_force()
	FROM escalation_policy e
	WHERE p_policy IS NULL OR e.policy = p_policy
	ORDER BY e.policy <> escalation_policy_in_force(), e.policy, e.category_code <> '*',
		e.category_code, e.priority, e.step;
END
$$;

-- An admin sets (p_after given) or removes (p_after NULL) one step of a
-- policy. A step's delay may not be shorter than the step before it nor
-- longer than the one after. Audited; consoles hear a catalogue NOTIFY.
CREATE OR REPLACE FUNCTION cityops.escalation_policy_set(p_policy text, p_category text,
	p_priority int, p_step int, p_after text)
RETURNS TABLE (policy text, category_code text, priority int, step int, after interval)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_policy text := lower(btrim(p_policy));
	v_category text := btrim(p_category);
	v_after interval;
BEGIN
	PERFORM require_role(me, 'admin', 'edit the escalation policy');
	IF v_policy IS NULL OR v_policy !~ '^[a-z0-9_-]{1,40}$' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('bad policy name %s', left(coalesce(p_policy, '(none)'), 60)),
			HINT = 'letters a-z, digits, - and _, at most 40';
	END IF;
	IF v_category IS DISTINCT FROM '*' THEN
		v_category := category_resolve(v_category);
	END IF;
	PERFORM check_priority(coalesce(p_priority, 0));
	IF p_step IS NULL OR p_step NOT BETWEEN 1 AND 3 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('step must be 1, 2 or 3, not %s', coalesce(p_step::text, '(none)'));
	END IF;
	IF p_after IS NOT NULL THEN
		BEGIN
			v_after := p_after::interval;
		EXCEPTION WHEN OTHERS THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = format('not a delay: %s', left(p_after, 60)),
				HINT = 'such as 0, 10min, 2h, 1 day';
		END;
		IF v_after < interval '0' OR v_after > interval '30 days' THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = format('delay %s is out of range', v_after),
				HINT = 'from 0 to 30 days after the deadline';
		END IF;
		IF EXISTS (SELECT 1 FROM escalation_policy e WHERE e.policy = v_policy
				AND e.category_code = v_category AND e.priority = p_priority
				AND ((e.step < p_step AND e.after > v_after)
					OR (e.step > p_step AND e.after < v_after))) THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = format('step %s after %s would be out of order', p_step, v_after),
				HINT = 'a later step waits at least as long as an earlier one';
		END IF;
		INSERT INTO escalation_policy AS e (policy, category_code, priority, step, after)
			VALUES (v_policy, v_category, p_priority, p_step, v_after)
			ON CONFLICT ON CONSTRAINT escalation_policy_pkey DO UPDATE SET after = v_after;
	ELSE
		DELETE FROM escalation_policy e WHERE e.policy = v_policy
			AND e.category_code = v_category AND e.priority = p_priority AND e.step = p_step;
		IF NOT FOUND THEN
			RAISE EXCEPTION USING ERRCODE = 'CO001',
				MESSAGE = format('no step %s for %s %s P%s', p_step, v_policy, v_category,
					p_priority);
		END IF;
	END IF;
	PERFORM audit_log('escalation.policy', v_policy, jsonb_build_object('category', v_category,
		'priority', p_priority, 'step', p_step, 'after', v_after));
	PERFORM catalogue_notify('escalation', v_policy);
	RETURN QUERY SELECT v_policy, v_category, p_priority, p_step, v_after;
END
$$;

DROP POLICY IF EXISTS in_scope ON cityops.escalation_fired;
CREATE POLICY in_scope ON cityops.escalation_fired FOR SELECT TO cityops_user
	USING (region_path <@ (SELECT cityops.scope_path()));

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
