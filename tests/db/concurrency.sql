-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Two supervisors dispatch the same unit at the same moment, over two real
-- connections: exactly one wins, the other gets CO005 naming the incident
-- and who dispatched it. And consoles hear about changes: a LISTENing
-- connection receives the NOTIFY payloads of the contract.
--
-- No transaction around the file: the other connections must see
-- committed data, and the copy of the database is dropped afterwards.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(8);

CREATE FUNCTION pg_temp.conn(p_user text) RETURNS text LANGUAGE sql AS $$
	SELECT format('dbname=%s user=%s host=%s port=%s', current_database(), p_user,
		split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'))
$$;
CREATE TEMP TABLE refs AS
	SELECT (SELECT ref FROM cityops.incident WHERE title = '小区停电') AS a,
		(SELECT ref FROM cityops.incident WHERE title = '老旧民房外墙脱落') AS b;

SELECT dblink_connect('lis', pg_temp.conn('viewer_wall'));
SELECT dblink_exec('lis', 'LISTEN cityops');
SELECT dblink_connect('sup1', pg_temp.conn('super_city'));
SELECT dblink_connect('sup2', pg_temp.conn('super_fx'));

-- Both start together; the second blocks on the assignment index until the
-- first commits, then fails.
SELECT dblink_send_query('sup1', format(
	$q$SELECT to_state FROM cityops.incident_act(%L, 'dispatch', '竞争测试', '{FX-E01}')$q$, a)) FROM refs;
SELECT dblink_send_query('sup2', format(
	$q$SELECT to_state FROM cityops.incident_act(%L, 'dispatch', '竞争测试', '{fx-e01}')$q$, b)) FROM refs;

CREATE TEMP TABLE outcome (who text, ok bool, err text);
CREATE FUNCTION pg_temp.collect(p_conn text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		PERFORM * FROM dblink_get_result(p_conn) AS t(to_state text);
		INSERT INTO outcome VALUES (p_conn, true, NULL);
	EXCEPTION WHEN others THEN
		INSERT INTO outcome VALUES (p_conn, false, SQLERRM);
	END;
	PERFORM * FROM dblink_get_result(p_conn, false) AS t(to_state text);  -- drain
END
$$;
SELECT pg_temp.collect('sup1');
SELECT pg_temp.collect('sup2');

SELECT is((SELECT count(*) FROM outcome WHERE ok), 1::bigint, 'exactly one dispatch succeeds');
SELECT matches((SELECT err FROM outcome WHERE NOT ok),
	'unit FX-E01 is on incident [0-9]{6}-[0-9]{4} \(dispatched by (super_city|super_fx)\)',
	'the other is told which incident holds the unit and who dispatched it');
SELECT is((SELECT count(*) FROM cityops.assignment a JOIN cityops.unit u ON u.id = a.unit_id
	WHERE u.callsign = 'FX-E01' AND a.released_at IS NULL), 1::bigint, 'one active assignment');
SELECT is((SELECT i.ref || ' ' || a.assigned_by FROM cityops.assignment a
		JOIN cityops.unit u ON u.id = a.unit_id JOIN cityops.incident i ON i.id = a.incident_id
		WHERE u.callsign = 'FX-E01' AND a.released_at IS NULL),
	(SELECT substring(err FROM 'incident ([0-9-]+)') || ' ' || substring(err FROM 'by ([a-z_]+)')
		FROM outcome WHERE NOT ok),
	'the error names the actual holder');
SELECT is((SELECT status FROM cityops.unit WHERE callsign = 'FX-E01'), 'dispatched', 'the unit is dispatched');

-- Notifications reach the listener (poll briefly: delivery is asynchronous).
CREATE FUNCTION pg_temp.heard(p_pattern text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..50 LOOP
		PERFORM * FROM dblink('lis', 'SELECT 1') AS t(x int);
		INSERT INTO heard SELECT extra FROM dblink_get_notify('lis') WHERE notify_name = 'cityops';
		IF EXISTS (SELECT 1 FROM heard WHERE payload ~ p_pattern) THEN
			RETURN true;
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
	RETURN false;
END
$$;
CREATE TEMP TABLE heard (payload text);
SELECT ok(pg_temp.heard(format('^\{"t": "incident", "id": [0-9]+, "ref": "%s", "seq": [0-9]+, "state": "dispatched"\}$',
	(SELECT i.ref FROM cityops.assignment a JOIN cityops.unit u ON u.id = a.unit_id
		JOIN cityops.incident i ON i.id = a.incident_id
		WHERE u.callsign = 'FX-E01' AND a.released_at IS NULL))),
	'the listener hears the incident change');
SELECT ok(pg_temp.heard('^\{"t": "unit", "id": "FX-E01", "seq": [0-9]+, "status": "dispatched"\}$'),
	'the listener hears the unit change');
SELECT * FROM dblink('sup1',
	$q$SELECT mode FROM cityops.mode_set('emergency', 'III', '防汛防台', '通知测试')$q$) AS t(mode text);
SELECT ok(pg_temp.heard('^\{"t": "mode", "seq": [0-9]+\}$'), 'the listener hears the mode change');

SELECT dblink_disconnect('lis');
SELECT dblink_disconnect('sup1');
SELECT dblink_disconnect('sup2');
SELECT * FROM finish();
