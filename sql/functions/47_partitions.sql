-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Reading partitions (issue 12; migration 045; docs/scale.md "Readings
-- partitioned by day"): one partition per UTC day, made ahead_days ahead
-- and dropped once wholly older than retain_days (partition_retention).
-- Called by ingest at start and every hour (reading_partitions), and by
-- whoever owns the schema with a chosen time (reading_partitions_run).

-- The work for one partitioned table (reading, sensor_reading), at p_now.
-- Partitions are named TABLE_pYYYYMMDD; rows of a day with no partition
-- wait in TABLE_default.
CREATE OR REPLACE FUNCTION cityops.partitions_run_table(p_table text, p_now timestamptz)
RETURNS TABLE (action text, partition text, rows bigint)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_keep int;
	v_ahead int;
	v_today date := (p_now AT TIME ZONE 'UTC')::date;
	v_cut date;
	v_day date;
	v_name text;
	v_dflt text := p_table || '_default';
	v_lo timestamptz;
	v_hi timestamptz;
	v_n bigint;
BEGIN
	SELECT r.retain_days, r.ahead_days INTO v_keep, v_ahead
	FROM partition_retention r WHERE r.table_name = p_table;
	-- No row (or none visible): keep for ever, 3 days ahead.
	v_ahead := coalesce(v_ahead, 3);
	-- No retention: nothing is dropped; the days ahead are still made.
	v_cut := v_today - coalesce(v_keep, 36600 * 3);

	FOR v_name IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = ('cityops.' || p_table)::regclass
			AND c.relname ~ ('^' || p_table || '_p[0-9]{8}$')
		ORDER BY 1
	LOOP
		v_day := to_date(substr(v_name, length(p_table) + 3), 'YYYYMMDD');
		CONTINUE WHEN v_day + 1 > v_cut;
		EXECUTE format('SELECT count(*) FROM cityops.%I', v_name) INTO v_n;
		EXECUTE format('DROP TABLE cityops.%I', v_name);
		action := 'dropped'; partition := v_name; rows := v_n;
		RETURN NEXT;
	END LOOP;
	EXECUTE format('DELETE FROM cityops.%I d WHERE d.at < %L', v_dflt,
		v_cut::timestamp AT TIME ZONE 'UTC');
	GET DIAGNOSTICS v_n = ROW_COUNT;
	IF v_n > 0 THEN
		action := 'expired'; partition := v_dflt; rows := v_n;
		RETURN NEXT;
	END IF;

	-- The days ahead, and the days within retention that have rows
	-- waiting in the default partition.
	FOR v_day IN EXECUTE format(
		'SELECT g::date FROM generate_series(%L::timestamp, %L::timestamp, interval ''1 day'') g '
		'UNION SELECT DISTINCT (d.at AT TIME ZONE ''UTC'')::date FROM cityops.%I d '
		'WHERE d.at >= %L AND d.at < %L ORDER BY 1',
		v_today, v_today + v_ahead, v_dflt, v_cut::timestamp AT TIME ZONE 'UTC',
		(v_today + v_ahead + 1)::timestamp AT TIME ZONE 'UTC')
	LOOP
		v_name := p_table || '_p' || to_char(v_day, 'YYYYMMDD');
		CONTINUE WHEN to_regclass('cityops.' || v_name) IS NOT NULL;
		v_lo := v_day::timestamp AT TIME ZONE 'UTC';
		v_hi := (v_day + 1)::timestamp AT TIME ZONE 'UTC';
		-- Made apart, filled from the default partition, then attached:
		-- the CHECK spares ATTACH a scan of the new partition.
		EXECUTE format('CREATE TABLE cityops.%I (LIKE cityops.%I, '
			'CONSTRAINT %I CHECK (at >= %L AND at < %L))', v_name, p_table, v_name || '_day', v_lo, v_hi);
		EXECUTE format('REVOKE ALL ON cityops.%I FROM PUBLIC, cityops_user', v_name);
		EXECUTE format('ALTER TABLE cityops.%I ENABLE ROW LEVEL SECURITY', v_name);
		EXECUTE format('WITH m AS (DELETE FROM cityops.%I WHERE at >= %L AND at < %L '
			'RETURNING *) INSERT INTO cityops.%I SELECT * FROM m',
			v_dflt, v_lo, v_hi, v_name);
		GET DIAGNOSTICS v_n = ROW_COUNT;
		EXECUTE format('ALTER TABLE cityops.%I ATTACH PARTITION cityops.%I '
			'FOR VALUES FROM (%L) TO (%L)', p_table, v_name, v_lo, v_hi);
		action := 'made'; partition := v_name; rows := v_n;
		RETURN NEXT;
	END LOOP;
END
$$;

-- The work, at p_now, for every partitioned table. Not SECURITY DEFINER:
-- only the owner of the schema can create and drop its tables, so an
-- operator calling it directly is refused by PostgreSQL itself and cannot
-- choose the time.
CREATE OR REPLACE FUNCTION cityops.reading_partitions_run(p_now timestamptz)
RETURNS TABLE (action text, partition text, rows bigint)
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_n bigint;
BEGIN
	IF p_now IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'a time is needed';
	END IF;
	-- One maintenance at a time (two ingests may start together).
	PERFORM pg_advisory_xact_lock(20261245);
	RETURN QUERY SELECT * FROM partitions_run_table('reading', p_now);
	RETURN QUERY SELECT * FROM partitions_run_table('sensor_reading', p_now);

	-- Inbox rows visible here were committed by a transaction that never
	-- took them out (ingest's own are taken out before it commits).
	DELETE FROM reading_inbox;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	IF v_n > 0 THEN
		action := 'purged'; partition := 'reading_inbox'; rows := v_n;
		RETURN NEXT;
	END IF;
	DELETE FROM sensor_inbox;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	IF v_n > 0 THEN
		action := 'purged'; partition := 'sensor_inbox'; rows := v_n;
		RETURN NEXT;
	END IF;
END
$$;

-- What ingest calls: officers and above, at the server's time; what it
-- did goes to the audit trail.
CREATE OR REPLACE FUNCTION cityops.reading_partitions()
RETURNS TABLE (action text, partition text, rows bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
	v_done jsonb;
BEGIN
	PERFORM require_role(me, 'officer', 'maintain the reading partitions');
	SELECT jsonb_agg(jsonb_build_object('action', r.action, 'partition', r.partition,
			'rows', r.rows))
		INTO v_done FROM reading_partitions_run(now()) r;
	IF v_done IS NOT NULL THEN
		PERFORM audit_log('reading_partitions', 'reading', jsonb_build_object('done', v_done));
	END IF;
	RETURN QUERY SELECT x.action, x.partition, x.rows
		FROM jsonb_to_recordset(coalesce(v_done, '[]')) AS x(action text, partition text, rows bigint);
END
$$;

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
