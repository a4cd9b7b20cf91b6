-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 11: notifications are not replicated, so a console that catches up
-- after a failover reads the change log instead. Every NOTIFY must
-- therefore come with a change_log row: only change_emit may NOTIFY, and
-- the writes that used to NOTIFY by themselves (handover, catalogue) now
-- leave a row a console reading changes_since finds, with its sequence.
SELECT plan(8);

-- ---- no function but change_emit NOTIFYs ----------------------------------
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text ORDER BY 1)
	 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	 WHERE n.nspname = 'cityops' AND p.proname <> 'change_emit'
		AND p.prosrc ~* '(pg_notify\s*\(|\mnotify\s+[a-z_"])'),
	NULL,
	'no function in cityops NOTIFYs except change_emit (which writes change_log)');
SELECT ok(
	(SELECT p.prosrc ~* 'INSERT INTO change_log' AND p.prosrc ~* 'pg_notify'
	 FROM pg_proc p WHERE p.oid = 'cityops.change_emit(text,text,bigint,ltree,bool,jsonb)'::regprocedure),
	'change_emit writes change_log and NOTIFYs in one function');

CREATE TEMP TABLE mark AS SELECT coalesce(max(seq), 0) AS seq FROM cityops.change_log;
GRANT SELECT ON mark TO PUBLIC;

-- ---- a handover, given and accepted, is in the change log ----------------
SET SESSION AUTHORIZATION super_city;
SELECT lives_ok($$SELECT * FROM cityops.handover_give('officer_city', '潮位注意')$$,
	'handed over');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION officer_city;
SELECT lives_ok($$SELECT * FROM cityops.handover_accept()$$, 'accepted');
RESET SESSION AUTHORIZATION;

-- What a console of another officer reads when it catches up.
SET SESSION AUTHORIZATION officer_fx;
SELECT is(
	(SELECT array_agg((payload ->> 'state') || ' ' || (payload ->> 'from') || '→' ||
		(payload ->> 'to') ORDER BY seq)
	 FROM cityops.changes_since((SELECT seq FROM mark)) WHERE kind = 'handover'),
	ARRAY['given super_city→officer_city', 'accepted super_city→officer_city'],
	'a console catching up reads both handover changes');
SELECT ok(
	(SELECT bool_and((payload ->> 'seq')::bigint = seq)
	 FROM cityops.changes_since((SELECT seq FROM mark)) WHERE kind = 'handover'),
	'each handover change carries its own sequence');
RESET SESSION AUTHORIZATION;
SELECT is(
	(SELECT count(*)::int FROM cityops.handover h JOIN cityops.change_log c
		ON c.kind = 'handover' AND c.object = h.id::text AND c.seq > (SELECT seq FROM mark)),
	2, 'the change rows name the handover');

-- ---- a catalogue change is in the change log ------------------------------
SET SESSION AUTHORIZATION admin_city;
SELECT cityops.indicator_add('fx.wind.nl', '海湾镇测试风速', 'weather', 'kmh', '海湾镇', 'high',
	50, 75, 3, 600, 'weather');
RESET SESSION AUTHORIZATION;
SELECT is(
	(SELECT array_agg(payload ->> 'what' || ' ' || (payload ->> 'id'))
	 FROM cityops.change_log WHERE kind = 'catalogue' AND seq > (SELECT seq FROM mark)),
	ARRAY['indicator fx.wind.nl'], 'an indicator added is one catalogue change');

SELECT * FROM finish();
