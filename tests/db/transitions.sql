-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Every action from every state: the contract's transition table (written
-- out here, independently of cityops.transition) says which succeed and
-- where they lead; every other pair must fail with CO004 naming the state,
-- with a hint listing what is allowed.
--
-- Each case drives a fresh incident to its state through the API as the
-- superuser (registered as the admin operator, so the role never stands in
-- the way), tries the action, and rolls all of it back.
BEGIN;
SELECT plan(12 * 13 + 4);

-- The contract: docs/sql-api.md, "The incident loop". to_state NULL means
-- "unchanged".
CREATE TEMP TABLE contract (action text, from_state text, to_state text);
INSERT INTO contract VALUES
	('ack', 'new', 'acknowledged'),
	('dispatch', 'new', 'dispatched'), ('dispatch', 'acknowledged', 'dispatched'),
	('dispatch', 'returned', 'dispatched'), ('dispatch', 'reopened', 'dispatched'),
	('dispatch', 'dispatched', NULL), ('dispatch', 'accepted', NULL), ('dispatch', 'on_scene', NULL),
	('accept', 'dispatched', 'accepted'),
	('return', 'dispatched', 'returned'),
	('arrive', 'dispatched', 'on_scene'), ('arrive', 'accepted', 'on_scene'),
	('resolve', 'on_scene', 'resolved'),
	('verify', 'resolved', 'verified'),
	('close', 'verified', 'closed'),
	('reopen', 'resolved', 'reopened'), ('reopen', 'verified', 'reopened'), ('reopen', 'closed', 'reopened'),
	('unfounded', 'new', 'unfounded'), ('unfounded', 'acknowledged', 'unfounded');
INSERT INTO contract
	SELECT 'cancel', s, 'cancelled' FROM unnest('{new,acknowledged,dispatched,accepted,returned,on_scene,resolved,verified,reopened}'::text[]) s
	UNION ALL
	SELECT 'escalate', s, NULL FROM unnest('{new,acknowledged,dispatched,accepted,returned,on_scene,resolved,verified,reopened}'::text[]) s
	UNION ALL
	SELECT 'note', s, NULL FROM unnest('{new,acknowledged,dispatched,accepted,returned,on_scene,resolved,verified,reopened,closed,unfounded,cancelled}'::text[]) s;

-- How to reach each state from a fresh incident.
CREATE TEMP TABLE path (state text, steps text[]);
INSERT INTO path VALUES
	('new',          '{}'),
	('acknowledged', '{ack}'),
	('dispatched',   '{ack,dispatch}'),
	('accepted',     '{ack,dispatch,accept}'),
	('returned',     '{ack,dispatch,return}'),
	('on_scene',     '{ack,dispatch,accept,arrive}'),
	('resolved',     '{ack,dispatch,accept,arrive,resolve}'),
	('verified',     '{ack,dispatch,accept,arrive,resolve,verify}'),
	('closed',       '{ack,dispatch,accept,arrive,resolve,verify,close}'),
	('reopened',     '{ack,dispatch,accept,arrive,resolve,verify,close,reopen}'),
	('unfounded',    '{unfounded}'),
	('cancelled',    '{cancel}');

-- Runs one case and undoes it; returns 'ok <from> → <to>' or
-- '<SQLSTATE> <message> | <hint>'.
CREATE FUNCTION pg_temp.try_act(p_state text, p_action text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_ref text;
	v_step text;
	v_res record;
	v_msg text;
	v_hint text;
	v_code text;
BEGIN
	BEGIN
		SELECT ref INTO v_ref FROM cityops.incident_raise('road', 3, '崇明区', '矩阵测试',
			'', '', 'patrol', NULL, false);
		FOREACH v_step IN ARRAY (SELECT steps FROM path WHERE state = p_state) LOOP
			PERFORM cityops.incident_act(v_ref, v_step, '测试原因',
				CASE WHEN v_step = 'dispatch' THEN ARRAY['CM-F01'] END);
		END LOOP;
		SELECT * INTO v_res FROM cityops.incident_act(v_ref, p_action, '测试原因',
			CASE WHEN p_action = 'dispatch' THEN ARRAY['CM-P01'] END);
		RAISE EXCEPTION USING ERRCODE = 'ZZ999',
			MESSAGE = format('ok %s → %s', v_res.from_state, v_res.to_state);
	EXCEPTION WHEN others THEN
		GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT,
			v_code = RETURNED_SQLSTATE;
		IF v_code = 'ZZ999' THEN
			RETURN v_msg;
		END IF;
		RETURN regexp_replace(format('%s %s | %s', v_code, v_msg, v_hint),
			'[0-9]{6}-[0-9]{4}', 'REF', 'g');
	END;
END
$$;

-- 156 cases: allowed ones land in the contract's state, the rest are CO004.
SELECT is(pg_temp.try_act(p.state, a.name),
	CASE WHEN c.action IS NOT NULL
		THEN format('ok %s → %s', p.state, coalesce(c.to_state, p.state))
		ELSE format('CO004 incident REF is %s; cannot %s | allowed: %s', p.state, a.name,
			cityops.allowed_actions(p.state, 3))
	END,
	format('%s from %s: %s', a.name, p.state, CASE WHEN c.action IS NULL THEN 'refused' ELSE 'allowed' END))
FROM path p
CROSS JOIN (SELECT name, ord FROM cityops.action) a
LEFT JOIN contract c ON c.action = a.name AND c.from_state = p.state
ORDER BY p.state, a.ord;

-- The hint lists what the caller's role may do: the contract's example.
SELECT is(cityops.allowed_actions('closed', 3), 'reopen, note', 'closed: admin may reopen or note');
SELECT is(cityops.allowed_actions('closed', 1), 'note', 'closed: an officer may only note');
SELECT is(cityops.allowed_actions('dispatched', 1), 'accept, return, arrive, escalate, note',
	'dispatched: an officer may accept, return, arrive, escalate, note');
-- Escalation stops at level 3, and the hint stops offering it.
SELECT is(cityops.allowed_actions('new', 1, 3), 'ack, unfounded, note',
	'escalate is not offered at level 3');

SELECT * FROM finish();
ROLLBACK;
