-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The desk's reads and writes for acting on the selection (issue 14):
-- which actions the caller may take from each state (the console offers
-- only those keys), the alarm board, and acknowledging an alarm by id or
-- by indicator key.

-- Every (state, action) the caller's role allows, in loop order, with
-- whether the action needs a reason and units. The console keeps this
-- table and filters it by an incident's state and escalation level, as
-- allowed_actions does for one incident.
CREATE OR REPLACE FUNCTION cityops.desk_actions()
RETURNS TABLE (state text, action text, label_zh text, reason_required bool,
	units_required bool, ends bool)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	RETURN QUERY
	SELECT t.from_state, a.name, a.label_zh, a.reason_required, a.units_required,
		coalesce(NOT s.is_open, false)
	FROM transition t JOIN action a ON a.name = t.action
	LEFT JOIN state s ON s.name = t.to_state
	WHERE role_rank(a.min_role) <= me.rank
	ORDER BY t.from_state, a.ord;
END
$$;

-- Alarms not cleared in the caller's scope (or only exercise ones), the
-- unacknowledged alarm-level ones first, then alarm before warn, then the
-- newest.
CREATE OR REPLACE FUNCTION cityops.alarm_board(p_exercise bool DEFAULT false, p_limit int DEFAULT 200)
RETURNS TABLE (id bigint, indicator_id text, name text, region_name text, level text,
	state text, value numeric, uom text, raised_at timestamptz, acknowledged_by name,
	acknowledged_at timestamptz, exercise bool)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	RETURN QUERY
	SELECT a.id, a.indicator_id, i.name, r.name, a.level, a.state, a.value, i.uom,
		a.raised_at, a.acknowledged_by, a.acknowledged_at, i.exercise
	FROM alarm a JOIN indicator i ON i.id = a.indicator_id
	JOIN region r ON r.code = i.region_code
	WHERE a.state <> 'cleared' AND i.exercise = coalesce(p_exercise, false)
		AND a.region_path <@ me.scope_path
	ORDER BY a.state = 'acknowledged', a.level = 'warn', a.raised_at DESC, a.id DESC
	LIMIT greatest(1, least(coalesce(p_limit, 200), 1000));
END
$$;

-- Acknowledges the open alarm named by its id or by its indicator's key
-- (an indicator has at most one open alarm). The acknowledgement itself is
-- alarm_ack's: role, scope, state, audit; the alarm trigger NOTIFYs.
CREATE OR REPLACE FUNCTION cityops.alarm_ack_ref(p_alarm text, p_note text)
RETURNS TABLE (id bigint, indicator_id text, state text, acknowledged_by name)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_id bigint;
BEGIN
	PERFORM require_role(me, 'officer', 'acknowledge an alarm');
	IF p_alarm ~ '^[0-9]{1,18}$' THEN
		v_id := p_alarm::bigint;
	ELSE
		SELECT a.id INTO v_id FROM alarm a
		WHERE a.indicator_id = p_alarm AND a.state <> 'cleared';
		IF v_id IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO001',
				MESSAGE = format('no open alarm on %s', left(p_alarm, 200));
		END IF;
	END IF;
	PERFORM alarm_ack(v_id, p_note);
	RETURN QUERY SELECT a.id, a.indicator_id, a.state, a.acknowledged_by
	FROM alarm a WHERE a.id = v_id;
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
