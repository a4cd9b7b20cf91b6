-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Relay subscriber tokens (migration 042, sql/functions/76_relay_auth.sql):
-- a token is worth its login's scope now, only the relay (city scope) may
-- look one up, nobody reads the table, expired and unknown tokens are
-- worth nothing.
BEGIN;
SELECT plan(13);
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA pg_temp TO PUBLIC;
CREATE TEMP TABLE tok (who text, token text);
GRANT ALL ON tok TO PUBLIC;

SET SESSION AUTHORIZATION officer_fx;
INSERT INTO tok SELECT 'fx', cityops.relay_token_issue();
SELECT matches((SELECT token FROM tok WHERE who = 'fx'), '^[0-9a-f]{64}$', 'a token is 64 hex digits');
SELECT throws_ok($$SELECT * FROM cityops.relay_token$$, '42501', NULL, 'an operator cannot read the tokens');
SELECT throws_ok($$INSERT INTO cityops.relay_token VALUES ('\x00', 'officer_fx', now(), now() + interval '1 year')$$,
	'42501', NULL, 'an operator cannot write a token');
SELECT throws_ok($$SELECT * FROM cityops.relay_token_scope((SELECT token FROM tok WHERE who = 'fx'))$$,
	'CO002', NULL, 'a district login cannot look tokens up');
SELECT throws_ok($$SELECT cityops.relay_token_issue(1000)$$, 'CO006', NULL, 'at most a week');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION officer_hp;
INSERT INTO tok SELECT 'hp', cityops.relay_token_issue(1);
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION cityops_relay;
SELECT results_eq($$SELECT login, scope_path FROM cityops.relay_token_scope((SELECT token FROM tok WHERE who = 'fx'))$$,
	$$VALUES ('officer_fx'::text, (SELECT path::text FROM cityops.region WHERE code = '310120'))$$,
	'the relay learns officer_fx and its scope');
SELECT results_eq($$SELECT login, scope_path FROM cityops.relay_token_scope((SELECT token FROM tok WHERE who = 'hp'))$$,
	$$VALUES ('officer_hp'::text, (SELECT path::text FROM cityops.region WHERE code = '310101'))$$,
	'and officer_hp its own');
SELECT is_empty($$SELECT * FROM cityops.relay_token_scope(repeat('a', 64))$$, 'an unknown token is worth nothing');
SELECT is_empty($$SELECT * FROM cityops.relay_token_scope(NULL)$$, 'no token is worth nothing');
SELECT is_empty($$SELECT * FROM cityops.relay_token_scope(upper((SELECT token FROM tok WHERE who = 'fx')))$$,
	'a token is matched exactly');
RESET SESSION AUTHORIZATION;

-- Expired: worth nothing. Scope narrowed after issue: the new scope.
UPDATE cityops.relay_token SET expires_at = now() - interval '1 second' WHERE login = 'officer_hp';
UPDATE cityops.operator SET scope_code = (SELECT code FROM cityops.region WHERE nlevel(path) = 3
	AND path <@ (SELECT path FROM cityops.region WHERE code = '310120') ORDER BY path LIMIT 1)
	WHERE login = 'officer_fx';
SET SESSION AUTHORIZATION cityops_relay;
SELECT is_empty($$SELECT * FROM cityops.relay_token_scope((SELECT token FROM tok WHERE who = 'hp'))$$,
	'an expired token is worth nothing');
SELECT is((SELECT nlevel(scope_path::ltree) FROM cityops.relay_token_scope((SELECT token FROM tok WHERE who = 'fx'))),
	3, 'a narrowed login''s token is worth its narrowed scope');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM cityops.audit WHERE action = 'relay_token'), 2::bigint, 'each issue is audited');

SELECT * FROM finish();
ROLLBACK;
