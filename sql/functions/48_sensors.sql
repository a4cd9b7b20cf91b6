-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Sensors and rollups (issue 12; migration 046; docs/scale.md "Sensors and
-- rollups"): an admin registers sensors and defines the rollup that makes
-- an indicator out of them; ingest loads the definitions, the members and
-- the latest readings at start (definitions and members again on every
-- catalogue NOTIFY), stores raw readings by COPY, and writes
-- each rollup's value at a fixed cadence as an ordinary indicator reading.

-- sensor add: one sensor (admin, audited).
CREATE OR REPLACE FUNCTION cityops.sensor_add(p_id text, p_kind text, p_region text, p_group text)
RETURNS TABLE (id text, kind text, region_code text, grp text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_region text;
BEGIN
	PERFORM require_role(me, 'admin', 'add a sensor');
	IF p_id IS NULL OR p_id !~ '^[A-Za-z0-9_.:-]{1,64}$' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('sensor id %s: 1 to 64 letters, digits and _ . : -', p_id);
	END IF;
	IF p_kind IS NULL OR p_kind !~ '^[a-z0-9_]{1,32}$' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('sensor kind %s: lower-case letters, digits and _', p_kind);
	END IF;
	IF p_group IS NOT NULL AND p_group !~ '^[A-Za-z0-9_.-]{1,64}$' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('sensor group %s: 1 to 64 letters, digits and _ . -', p_group);
	END IF;
	IF EXISTS (SELECT 1 FROM sensor s WHERE s.id = p_id) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO004', MESSAGE = format('sensor %s exists', p_id);
	END IF;
	v_region := region_resolve(p_region);
	INSERT INTO sensor (id, kind, region_code, region_path, grp)
	SELECT p_id, p_kind, r.code, r.path, p_group FROM region r WHERE r.code = v_region;
	PERFORM audit_log('sensor.add', p_id, jsonb_build_object('kind', p_kind,
		'region', v_region, 'group', p_group));
	PERFORM catalogue_notify('sensor', p_id);
	RETURN QUERY SELECT s.id, s.kind, s.region_code, s.grp FROM sensor s WHERE s.id = p_id;
END
$$;

-- indicator rollup: defines (or redefines) the rollup that makes an
-- indicator (admin, audited). Members are the sensors matching every
-- selector given; a running ingest reloads on the catalogue NOTIFY.
CREATE OR REPLACE FUNCTION cityops.indicator_rollup_define(p_indicator text, p_fn text, p_arg float8,
	p_window_s int, p_region text, p_kind text, p_group text, p_sensor text)
RETURNS TABLE (indicator_id text, fn text, arg float8, window_s int, members bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_region text;
BEGIN
	PERFORM require_role(me, 'admin', 'define a rollup');
	IF NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = p_indicator AND i.retired_at IS NULL) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_indicator);
	END IF;
	PERFORM check_one_of('function', p_fn, ARRAY['max', 'min', 'mean', 'sum', 'count_above', 'percentile']);
	IF (p_fn IN ('count_above', 'percentile')) <> (p_arg IS NOT NULL)
		OR (p_fn = 'percentile' AND NOT p_arg BETWEEN 0 AND 1)
		OR p_arg IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'count_above needs a threshold, percentile a fraction 0..1; the others take none';
	END IF;
	IF p_window_s IS NULL OR NOT p_window_s BETWEEN 1 AND 86400 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'the window is 1 to 86400 seconds';
	END IF;
	IF num_nonnulls(nullif(p_region, ''), nullif(p_kind, ''), nullif(p_group, ''), nullif(p_sensor, '')) = 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'a rollup needs a region, a kind, a group or a sensor';
	END IF;
	IF nullif(p_region, '') IS NOT NULL THEN
		v_region := region_resolve(p_region);
	END IF;
	IF nullif(p_sensor, '') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sensor s WHERE s.id = p_sensor) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no sensor %s', p_sensor);
	END IF;
	INSERT INTO indicator_rollup AS r (indicator_id, fn, arg, window_s, region_code, kind, grp,
		sensor_id, defined_by)
	VALUES (p_indicator, p_fn, p_arg, p_window_s, v_region, nullif(p_kind, ''), nullif(p_group, ''),
		nullif(p_sensor, ''), me.login)
	ON CONFLICT (indicator_id) DO UPDATE SET fn = EXCLUDED.fn, arg = EXCLUDED.arg,
		window_s = EXCLUDED.window_s, region_code = EXCLUDED.region_code, kind = EXCLUDED.kind,
		grp = EXCLUDED.grp, sensor_id = EXCLUDED.sensor_id, defined_by = EXCLUDED.defined_by,
		defined_at = now();
	PERFORM audit_log('indicator.rollup', p_indicator, jsonb_build_object('fn', p_fn, 'arg', p_arg,
		'window_s', p_window_s, 'region', v_region, 'kind', nullif(p_kind, ''),
		'group', nullif(p_group, ''), 'sensor', nullif(p_sensor, '')));
	PERFORM catalogue_notify('rollup', p_indicator);
	RETURN QUERY SELECT r.indicator_id, r.fn, r.arg, r.window_s,
		(SELECT count(*) FROM rollup_members() m WHERE m.indicator_id = r.indicator_id)
		FROM indicator_rollup r WHERE r.indicator_id = p_indicator;
END
$$;

-- The members of every rollup (or of one), by its selectors. The one
-- definition of membership: ingest loads it, tests compare with it.
CREATE OR REPLACE FUNCTION cityops.rollup_members()
RETURNS TABLE (indicator_id text, sensor_id text)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT r.indicator_id, s.id
	FROM indicator_rollup r
	JOIN indicator i ON i.id = r.indicator_id AND i.retired_at IS NULL
	LEFT JOIN region g ON g.code = r.region_code
	JOIN sensor s ON (r.region_code IS NULL OR s.region_path <@ g.path)
		AND (r.kind IS NULL OR s.kind = r.kind)
		AND (r.grp IS NULL OR s.grp = r.grp)
		AND (r.sensor_id IS NULL OR s.id = r.sensor_id)
$$;

-- What ingest loads at start (officer and up: the ingest login).
CREATE OR REPLACE FUNCTION cityops.ingest_rollups()
RETURNS TABLE (indicator_id text, fn text, arg float8, window_s int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM require_role(caller(), 'officer', 'load the rollups');
	RETURN QUERY SELECT r.indicator_id, r.fn, r.arg, r.window_s FROM indicator_rollup r
		JOIN indicator i ON i.id = r.indicator_id AND i.retired_at IS NULL
		ORDER BY 1;
END
$$;

-- Every sensor, with the rollups it is in ('' when none), one row each.
CREATE OR REPLACE FUNCTION cityops.ingest_sensors()
RETURNS TABLE (sensor_id text, rollups text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM require_role(caller(), 'officer', 'load the sensors');
	RETURN QUERY SELECT s.id, coalesce(string_agg(m.indicator_id, ','), '')
		FROM sensor s LEFT JOIN rollup_members() m ON m.sensor_id = s.id
		GROUP BY s.id;
END
$$;

-- The latest reading of each sensor newer than p_since: what a restarted
-- ingest's rollups start from.
CREATE OR REPLACE FUNCTION cityops.ingest_sensor_latest(p_since timestamptz)
RETURNS TABLE (sensor_id text, at_ms bigint, value float8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM require_role(caller(), 'officer', 'load the sensor readings');
	RETURN QUERY SELECT DISTINCT ON (r.sensor_id) r.sensor_id,
			(extract(epoch FROM r.at) * 1000)::bigint, r.value
		FROM sensor_reading r WHERE r.at > p_since
		ORDER BY r.sensor_id, r.at DESC;
END
$$;

-- A batch of sensor readings COPYed into sensor_inbox by this
-- transaction, stored once each (a replay is counted duplicate); readings
-- of an unknown sensor or older than the retention are counted unknown.
-- First as a plain INSERT, in batch order (ON CONFLICT's speculative
-- insertion and the sort it needs cost twice a plain one, docs/scale.md);
-- a batch holding a reading already stored (a replay after a restart, a
-- repeat within the batch) fails that with unique_violation, which undoes
-- it, inbox rows included, and is stored again the careful way.
CREATE OR REPLACE FUNCTION cityops.ingest_sensor_inbox()
RETURNS TABLE (accepted int, duplicate int, unknown int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_mine int;
	v_known int;
	v_stored int;
BEGIN
	PERFORM require_role(caller(), 'officer', 'ingest sensor readings');
	BEGIN
		WITH mine AS (
			DELETE FROM sensor_inbox b WHERE b.xid = pg_current_xact_id()
			RETURNING b.sensor_id, b.value, b.at
		), known AS (
			SELECT m.* FROM mine m
			WHERE m.at IS NOT NULL AND m.value IS NOT NULL
				AND m.value NOT IN ('NaN', 'Infinity', '-Infinity')
				AND m.at >= coalesce(now() - (SELECT make_interval(days => r.retain_days)
					FROM partition_retention r WHERE r.table_name = 'sensor_reading'), '-infinity')
				AND EXISTS (SELECT 1 FROM sensor s WHERE s.id = m.sensor_id)
		), stored AS (
			INSERT INTO sensor_reading (sensor_id, at, value)
				SELECT k.sensor_id, k.at, k.value FROM known k
				RETURNING 1
		)
		SELECT (SELECT count(*) FROM mine), (SELECT count(*) FROM known), (SELECT count(*) FROM stored)
			INTO v_mine, v_known, v_stored;
	EXCEPTION WHEN unique_violation THEN
		WITH mine AS (
			DELETE FROM sensor_inbox b WHERE b.xid = pg_current_xact_id()
			RETURNING b.sensor_id, b.value, b.at
		), known AS (
			SELECT m.* FROM mine m
			WHERE m.at IS NOT NULL AND m.value IS NOT NULL
				AND m.value NOT IN ('NaN', 'Infinity', '-Infinity')
				AND m.at >= coalesce(now() - (SELECT make_interval(days => r.retain_days)
					FROM partition_retention r WHERE r.table_name = 'sensor_reading'), '-infinity')
				AND EXISTS (SELECT 1 FROM sensor s WHERE s.id = m.sensor_id)
		), stored AS (
			INSERT INTO sensor_reading (sensor_id, at, value)
				SELECT DISTINCT ON (k.sensor_id, k.at) k.sensor_id, k.at, k.value
				FROM known k ORDER BY k.sensor_id, k.at, k.value
				ON CONFLICT (sensor_id, at) DO NOTHING
				RETURNING 1
		)
		SELECT (SELECT count(*) FROM mine), (SELECT count(*) FROM known), (SELECT count(*) FROM stored)
			INTO v_mine, v_known, v_stored;
	END;
	RETURN QUERY SELECT v_stored, v_known - v_stored, v_mine - v_known;
END
$$;

-- Demo and bench data at city scale: p_count sensors spread evenly over
-- the demo's district indicators (KEY.KIND of a district, e.g. pd.rain),
-- each in a random street of its district, named s.NNNNNNN (the n-th
-- sensor; `feed-sim --sensors N` sends readings for s.0000000 …), and a
-- rollup for each such indicator over its district's sensors of its kind
-- (rain, river, wind: max; crowd, load, hotline: sum; others: mean;
-- window 600 s). Admin only; replaces earlier generated sensors.
CREATE OR REPLACE FUNCTION cityops.sensor_generate(p_count int)
RETURNS TABLE (sensors bigint, rollups bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_pairs int;
BEGIN
	PERFORM require_role(me, 'admin', 'generate sensors');
	IF p_count IS NULL OR NOT p_count BETWEEN 1 AND 20000000 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'generate 1 to 20,000,000 sensors';
	END IF;
	CREATE TEMP TABLE gen_pair ON COMMIT DROP AS
		SELECT row_number() OVER (ORDER BY i.id) - 1 AS n, i.id, split_part(i.id, '.', 2) AS kind,
			g.code AS district, g.path
		FROM indicator i JOIN region g ON g.code = i.region_code AND g.level = 'district'
		WHERE i.id ~ '^[a-z]+\.[a-z0-9_]+$' AND i.retired_at IS NULL;
	SELECT count(*) INTO v_pairs FROM gen_pair;
	IF v_pairs = 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = 'no district indicators to roll sensors into';
	END IF;
	CREATE TEMP TABLE gen_street ON COMMIT DROP AS
		SELECT p.district, array_agg(s.code ORDER BY s.code) AS codes, array_agg(s.path ORDER BY s.code) AS paths
		FROM (SELECT DISTINCT district FROM gen_pair) p
		LEFT JOIN region s ON s.parent_code = p.district
		GROUP BY p.district;
	DELETE FROM indicator_rollup r WHERE r.indicator_id IN (SELECT id FROM gen_pair);
	DELETE FROM sensor s WHERE s.grp = 'generated';
	INSERT INTO sensor (id, kind, region_code, region_path, grp)
	SELECT 's.' || lpad(k::text, 7, '0'), p.kind,
		coalesce(st.codes[1 + (k / v_pairs) % cardinality(st.codes)], p.district),
		coalesce(st.paths[1 + (k / v_pairs) % cardinality(st.paths)], p.path),
		'generated'
	FROM generate_series(0, p_count - 1) k
	JOIN gen_pair p ON p.n = k % v_pairs
	JOIN gen_street st ON st.district = p.district;
	INSERT INTO indicator_rollup (indicator_id, fn, arg, window_s, region_code, kind, grp, defined_by)
	SELECT p.id, CASE WHEN p.kind IN ('rain', 'river', 'wind') THEN 'max'
			WHEN p.kind IN ('crowd', 'load', 'hotline') THEN 'sum' ELSE 'mean' END,
		NULL, 600, p.district, p.kind, 'generated', me.login
	FROM gen_pair p;
	PERFORM audit_log('sensor.generate', 'sensor', jsonb_build_object('count', p_count,
		'indicators', v_pairs));
	PERFORM catalogue_notify('sensor', 'generated');
	RETURN QUERY SELECT (SELECT count(*) FROM sensor s WHERE s.grp = 'generated'),
		(SELECT count(*) FROM indicator_rollup r WHERE r.grp = 'generated');
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
