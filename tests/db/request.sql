-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 031: a change with a request id applies at most once. The id
-- is recorded with the result in the command's own transaction; the same
-- id again is refused (CO008) and changes nothing, also when both arrive
-- at once on two connections; a command that failed left no record, so it
-- may be sent again with its id; operators see only their own requests and
-- cannot write the table.
--
-- No transaction around the file: the other connections must see
-- committed data, and the copy of the database is dropped afterwards.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(12);

CREATE FUNCTION pg_temp.conn(p_user text) RETURNS text LANGUAGE sql AS $$
	SELECT format('dbname=%s user=%s host=%s port=%s', current_database(), p_user,
		split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'))
$$;
CREATE TEMP TABLE refs AS
	SELECT (SELECT ref FROM cityops.incident WHERE title = '小区停电') AS a;
CREATE FUNCTION pg_temp.notes(p_note text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM cityops.incident_event WHERE note = p_note
$$;
SELECT dblink_connect('sup1', pg_temp.conn('super_city'));
SELECT dblink_connect('sup2', pg_temp.conn('super_city'));

-- Once, then the same id again.
SELECT is((SELECT s FROM dblink('sup1', format($q$SELECT to_state FROM cityops.request_act(
	'11111111-1111-4111-8111-111111111111', %L, 'note', '请求号一', NULL)$q$,
	(SELECT a FROM refs))) AS t(s text)), 'new', 'a note with a request id applies');
SELECT is(pg_temp.notes('请求号一'), 1::bigint, '… once');
SELECT throws_ok(format($q$SELECT * FROM dblink(%L, format('SELECT to_state FROM cityops.request_act(
	''11111111-1111-4111-8111-111111111111'', %%L, ''note'', ''请求号一'', NULL)', %L)) AS t(s text)$q$,
	pg_temp.conn('super_city'), (SELECT a FROM refs)), 'CO008', NULL, 'the same id again is refused');
SELECT is(pg_temp.notes('请求号一'), 1::bigint, '… and applies nothing');
SELECT is((SELECT n FROM dblink('sup1', $q$SELECT array_to_string(names, ',') || '=' ||
	array_to_string(vals, ',') FROM cityops.request_get('11111111-1111-4111-8111-111111111111')$q$)
	AS t(n text)), format('ref,from_state,to_state=%s,new,new', (SELECT a FROM refs)),
	'request_get returns the recorded result');

-- Two at once with the same id: the second waits for the first, then is
-- refused; the note is stored once.
SELECT dblink_exec('sup1', 'BEGIN');
SELECT * FROM dblink('sup1', format($q$SELECT to_state FROM cityops.request_act(
	'22222222-2222-4222-8222-222222222222', %L, 'note', '请求号二', NULL)$q$,
	(SELECT a FROM refs))) AS t(s text);
SELECT dblink_send_query('sup2', format($q$SELECT to_state FROM cityops.request_act(
	'22222222-2222-4222-8222-222222222222', %L, 'note', '请求号二', NULL)$q$, (SELECT a FROM refs)));
SELECT pg_sleep(0.3);
SELECT is(dblink_is_busy('sup2'), 1, 'the second claim of an id in flight waits');
SELECT dblink_exec('sup1', 'COMMIT');
CREATE TEMP TABLE second (ok bool, err text);
DO $$
BEGIN
	BEGIN
		PERFORM * FROM dblink_get_result('sup2') AS t(s text);
		INSERT INTO second VALUES (true, NULL);
	EXCEPTION WHEN others THEN
		INSERT INTO second VALUES (false, SQLERRM);
	END;
	PERFORM * FROM dblink_get_result('sup2', false) AS t(s text);
END
$$;
SELECT matches((SELECT err FROM second), 'already applied',
	'… and is refused once the first committed');
SELECT is(pg_temp.notes('请求号二'), 1::bigint, 'two at once with one id: stored once');

-- A command that failed left no record: the same id applies later.
SELECT throws_ok(format($q$SELECT * FROM dblink(%L, 'SELECT to_state FROM cityops.request_act(
	''33333333-3333-4333-8333-333333333333'', ''no-such'', ''note'', ''请求号三'', NULL)') AS t(s text)$q$,
	pg_temp.conn('super_city')), NULL, NULL, 'a failing command with an id');
SELECT is((SELECT s FROM dblink('sup1', format($q$SELECT to_state FROM cityops.request_act(
	'33333333-3333-4333-8333-333333333333', %L, 'note', '请求号三', NULL)$q$,
	(SELECT a FROM refs))) AS t(s text)), 'new', '… left no record: the id applies when sent again');

-- Own requests only; no direct writes.
SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT count(*) FROM cityops.request_get('11111111-1111-4111-8111-111111111111')),
	0::bigint, 'another operator does not see the request');
SELECT throws_ok($$INSERT INTO cityops.request (id, login, command)
	VALUES ('44444444-4444-4444-8444-444444444444', 'officer_fx', 'x')$$,
	'42501', NULL, 'an operator cannot write the request table');
RESET SESSION AUTHORIZATION;

SELECT dblink_disconnect('sup1');
SELECT dblink_disconnect('sup2');
SELECT * FROM finish();
