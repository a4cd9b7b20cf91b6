-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 032: retention of the change log and the request ids.
-- retention_prune deletes what is older than the configured keep and
-- nothing younger, is for admins only, audits, and leaves changes_since
-- telling a reader behind the pruned rows that it must resync in full;
-- retention_set refuses a keep below the floor and non-admins.
SELECT plan(17);

-- Old rows (8 days, 40 days) and young ones, as if written then.
INSERT INTO cityops.change_log (tx, at, kind, object, payload)
	SELECT pg_current_xact_id(), now() - interval '8 days', 'mode', 'old-' || g, '{"t": "mode"}'
	FROM generate_series(1, 5) g;
CREATE TEMP TABLE old AS SELECT max(seq) AS seq FROM cityops.change_log WHERE object LIKE 'old-%';
INSERT INTO cityops.change_log (tx, at, kind, object, payload)
	SELECT pg_current_xact_id(), now() - interval '1 hour', 'mode', 'young-' || g, '{"t": "mode"}'
	FROM generate_series(1, 3) g;
INSERT INTO cityops.request (id, login, command, at) VALUES
	('00000000-0000-4000-8000-000000000001', 'super_city', 'act note', now() - interval '40 days'),
	('00000000-0000-4000-8000-000000000002', 'super_city', 'act note', now() - interval '2 days');

SELECT is((SELECT keep FROM cityops.retention WHERE what = 'change_log'), interval '7 days',
	'the change log is kept 7 days by default');

-- Only admins prune.
SET SESSION AUTHORIZATION super_city;
SELECT throws_ok('SELECT * FROM cityops.retention_prune()', 'CO002', NULL,
	'a supervisor cannot prune');
SELECT throws_ok($$DELETE FROM cityops.change_log WHERE object LIKE 'old-%'$$, '42501', NULL,
	'nor delete change rows directly');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM cityops.change_log WHERE object LIKE 'old-%'), 5::bigint,
	'… and nothing went');

SET SESSION AUTHORIZATION admin_city;
SELECT throws_ok($$SELECT * FROM cityops.retention_prune(now() + interval '1 year')$$, 'CO006',
	NULL, 'a time in the future is refused');
CREATE TEMP TABLE pruned AS SELECT * FROM cityops.retention_prune();
RESET SESSION AUTHORIZATION;
SELECT is((SELECT deleted FROM pruned WHERE what = 'change_log'), 5::bigint,
	'prune deletes the 5 change rows older than 7 days');
SELECT is((SELECT deleted FROM pruned WHERE what = 'request'), 1::bigint,
	'and the request older than 30 days');
SELECT is((SELECT count(*) FROM cityops.change_log WHERE object LIKE 'old-%'), 0::bigint,
	'no old change row is left');
SELECT is((SELECT count(*) FROM cityops.change_log WHERE object LIKE 'young-%'), 3::bigint,
	'the young change rows are kept');
SELECT ok(EXISTS (SELECT 1 FROM cityops.request
		WHERE id = '00000000-0000-4000-8000-000000000002'),
	'a request younger than its keep is kept (a client can still settle it)');
SELECT is((SELECT pruned_upto FROM cityops.retention WHERE what = 'change_log'),
	(SELECT seq FROM old), 'the highest sequence deleted is recorded');
SELECT ok(EXISTS (SELECT 1 FROM cityops.audit WHERE action = 'retention prune'
		AND actor = 'admin_city' AND (detail ->> 'change_log')::int = 5),
	'the prune is audited');

-- A reader behind the pruned rows is told to resync; one after is not.
SELECT ok((SELECT max(total) FROM cityops.changes_since((SELECT seq FROM old) - 1, NULL, false, 100)) > 100,
	'changes_since from before the pruned rows reports a gap');
SELECT is((SELECT max(total) FROM cityops.changes_since((SELECT seq FROM old), NULL, false, 100)),
	(SELECT count(*) FROM cityops.change_log WHERE seq > (SELECT seq FROM old) AND NOT exercise),
	'from the last pruned sequence on, total is the rows there');

-- Setting the keep.
SET SESSION AUTHORIZATION super_city;
SELECT throws_ok($$SELECT * FROM cityops.retention_set('request', '90 days')$$, 'CO002', NULL,
	'a supervisor cannot set retention');
SET SESSION AUTHORIZATION admin_city;
SELECT throws_ok($$SELECT * FROM cityops.retention_set('request', '2 hours')$$, 'CO006', NULL,
	'request ids are kept at least a day');
SELECT is((SELECT keep FROM cityops.retention_set('change_log', '2 days')), interval '2 days',
	'an admin sets the change log to 2 days');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
