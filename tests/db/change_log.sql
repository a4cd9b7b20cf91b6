-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 030: every NOTIFYed change is a change_log row with a
-- sequence, written in the same transaction; changes_since() finds every
-- committed change after a reader's last one, including one that took a
-- smaller sequence but committed later; row-level security limits the
-- rows to the caller's scope; operators cannot write the log.
--
-- No transaction around the file: the other connections must see
-- committed data, and the copy of the database is dropped afterwards.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(14);

CREATE FUNCTION pg_temp.conn(p_user text) RETURNS text LANGUAGE sql AS $$
	SELECT format('dbname=%s user=%s host=%s port=%s', current_database(), p_user,
		split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'))
$$;
CREATE TEMP TABLE refs AS
	SELECT (SELECT ref FROM cityops.incident WHERE title = '小区停电') AS a,
		(SELECT ref FROM cityops.incident WHERE title = '老旧民房外墙脱落') AS b;
CREATE TEMP TABLE mark AS SELECT coalesce(max(seq), 0) AS seq FROM cityops.change_log;

SELECT dblink_connect('lis', pg_temp.conn('viewer_wall'));
SELECT dblink_exec('lis', 'LISTEN cityops');
SELECT dblink_connect('sup1', pg_temp.conn('super_city'));
SELECT dblink_connect('sup2', pg_temp.conn('super_city'));

-- One note: one event row and its change row, in the same transaction.
SELECT * FROM dblink('sup1', format($q$SELECT to_state FROM cityops.incident_act(%L, 'note',
	'变更日志测试', NULL)$q$, (SELECT a FROM refs))) AS t(s text);
SELECT is((SELECT array_agg(kind ORDER BY seq) FILTER (WHERE kind = 'event') FROM cityops.change_log
		WHERE seq > (SELECT seq FROM mark)),
	'{event}'::text[], 'a note writes one change row of kind event');
CREATE TEMP TABLE note AS SELECT * FROM cityops.change_log
	WHERE seq > (SELECT seq FROM mark) AND kind = 'event';
SELECT is((SELECT c.tx FROM note c),
	(SELECT e.tx FROM cityops.incident_event e ORDER BY id DESC LIMIT 1),
	'the change row is written by the transaction of the event');
SELECT is((SELECT (payload ->> 'seq')::bigint FROM note), (SELECT seq FROM note),
	'the stored payload carries its own sequence');

-- The listener hears the same payload, sequence included.
CREATE TEMP TABLE heard (payload text);
CREATE FUNCTION pg_temp.heard(p_seq bigint) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..50 LOOP
		PERFORM * FROM dblink('lis', 'SELECT 1') AS t(x int);
		INSERT INTO heard SELECT extra FROM dblink_get_notify('lis') WHERE notify_name = 'cityops';
		IF EXISTS (SELECT 1 FROM heard WHERE (payload::jsonb ->> 'seq')::bigint = p_seq) THEN
			RETURN true;
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
	RETURN false;
END
$$;
SELECT ok(pg_temp.heard((SELECT max(seq) FROM cityops.change_log)),
	'the NOTIFY payload carries the sequence of the change row');
SELECT is((SELECT payload::jsonb FROM heard
		WHERE (payload::jsonb ->> 'seq')::bigint = (SELECT max(seq) FROM cityops.change_log)),
	(SELECT payload FROM cityops.change_log ORDER BY seq DESC LIMIT 1),
	'the NOTIFY payload is the stored payload');

-- A dispatch: incident, unit and event rows, seqs increasing.
SELECT * FROM dblink('sup1', format($q$SELECT to_state FROM cityops.incident_act(%L, 'dispatch',
	'变更日志测试', '{FX-E01}')$q$, (SELECT a FROM refs))) AS t(s text);
SELECT ok((SELECT array_agg(DISTINCT kind ORDER BY kind) FROM cityops.change_log
		WHERE seq > (SELECT seq FROM mark)) @> '{event,incident,unit}'::text[],
	'a dispatch writes incident, unit and event change rows');

-- Sequence order is not commit order: sup2 takes a sequence and waits;
-- sup1 commits a later one; a reader reads; sup2 commits. Asking for
-- seq > the last read alone misses sup2's row; with the horizon it comes.
UPDATE mark SET seq = (SELECT max(seq) FROM cityops.change_log);
SELECT dblink_exec('sup2', 'BEGIN');
SELECT * FROM dblink('sup2', format($q$SELECT to_state FROM cityops.incident_act(%L, 'note',
	'先取号后提交', NULL)$q$, (SELECT b FROM refs))) AS t(s text);
SELECT * FROM dblink('sup1', format($q$SELECT to_state FROM cityops.incident_act(%L, 'note',
	'后取号先提交', NULL)$q$, (SELECT a FROM refs))) AS t(s text);
CREATE TEMP TABLE read1 AS
	SELECT * FROM dblink(pg_temp.conn('viewer_wall'),
		$q$SELECT horizon::text, seq FROM cityops.changes_since(0, NULL, false, 100000)$q$)
		AS t(horizon text, seq bigint);
SELECT dblink_exec('sup2', 'COMMIT');
CREATE TEMP TABLE late AS
	SELECT max(seq) AS seq FROM cityops.change_log c JOIN cityops.incident i
		ON i.id = c.incident_id WHERE i.ref = (SELECT b FROM refs) AND c.kind = 'event';
SELECT ok((SELECT seq FROM late) < (SELECT max(seq) FROM read1)
	AND (SELECT seq FROM late) NOT IN (SELECT seq FROM read1 WHERE seq IS NOT NULL),
	'the late commit holds a smaller sequence than one already read');
SELECT ok((SELECT seq FROM late) NOT IN (SELECT seq FROM cityops.changes_since(
		(SELECT max(seq) FROM read1), NULL, false, 100000) WHERE seq IS NOT NULL),
	'seq > last alone misses it');
SELECT ok((SELECT seq FROM late) IN (SELECT seq FROM cityops.changes_since(
		(SELECT max(seq) FROM read1), (SELECT min(horizon)::xid8 FROM read1), false, 100000)),
	'seq > last or tx >= the last horizon finds it');

-- A too large gap is told by total.
SELECT ok((SELECT max(total) FROM cityops.changes_since(0, NULL, false, 2)) > 2
	AND (SELECT count(*) FROM cityops.changes_since(0, NULL, false, 2)) = 2,
	'total tells more rows than the limit: resync in full');

-- A failed command leaves no change row.
UPDATE mark SET seq = (SELECT max(seq) FROM cityops.change_log);
SELECT throws_ok(format($q$SELECT * FROM dblink(%L, 'SELECT cityops.incident_act(''no-such'', ''note'', ''x'', NULL)') AS t(x text)$q$,
	pg_temp.conn('super_city')), NULL, NULL, 'a failing command');
SELECT is((SELECT count(*) FROM cityops.change_log WHERE seq > (SELECT seq FROM mark)), 0::bigint,
	'… writes no change row');

-- Scope: a district officer sees its district and the city-wide rows only.
SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT count(*) FROM cityops.changes_since(0, NULL, true, 100000)
		WHERE seq IS NOT NULL AND region_path IS NOT NULL
			AND NOT region_path <@ (SELECT path FROM cityops.region WHERE code = '310120')),
	0::bigint, 'a district officer reads no change outside the district');
SELECT throws_ok($$INSERT INTO cityops.change_log (kind, payload) VALUES ('x', '{}')$$,
	'42501', NULL, 'an operator cannot write the change log');
RESET SESSION AUTHORIZATION;

SELECT dblink_disconnect('lis');
SELECT dblink_disconnect('sup1');
SELECT dblink_disconnect('sup2');
SELECT * FROM finish();
