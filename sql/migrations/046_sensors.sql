-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 046_sensors: sensors apart from indicators (issue 12, "Eleven million
-- sensors, a thousand indicators"; docs/scale.md "Sensors and rollups").
--
-- A sensor is what a feed reports: a device in a region, of a kind (rain,
-- river, pm25 ...), optionally in a group. Its raw readings go to history
-- (sensor_reading, partitioned by UTC day like reading, made and dropped by
-- the same maintenance). An indicator is what the desk watches; a rollup
-- makes one out of the latest readings of a set of sensors (a region's
-- subtree, a kind, a group, or one sensor) with a function over a window.
-- `cityops ingest` computes rollups in memory as readings arrive and
-- writes the indicator's value at a fixed cadence (console/ingest/rollup.c).
-- An indicator with no rollup is fed directly, as before.
-- Tables and data only; functions are in sql/functions/48_sensors.sql.

CREATE TABLE cityops.sensor (
	id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
	kind        text NOT NULL CHECK (kind ~ '^[a-z0-9_]{1,32}$'),
	region_code text NOT NULL REFERENCES cityops.region,
	region_path ltree NOT NULL,
	grp         text CHECK (grp ~ '^[A-Za-z0-9_.-]{1,64}$'),
	created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sensor_region_path ON cityops.sensor USING gist (region_path);
CREATE INDEX sensor_kind ON cityops.sensor (kind);
REVOKE ALL ON cityops.sensor FROM PUBLIC;
GRANT SELECT ON cityops.sensor TO cityops_user; -- in scope (10_security.sql)
ALTER TABLE cityops.sensor ENABLE ROW LEVEL SECURITY;

-- Raw readings, one per sensor and observation time (a replay after a
-- restart adds nothing).
CREATE TABLE cityops.sensor_reading (
	sensor_id text NOT NULL,
	at        timestamptz NOT NULL,
	value     float8 NOT NULL,
	PRIMARY KEY (sensor_id, at)
) PARTITION BY RANGE (at);
CREATE TABLE cityops.sensor_reading_default PARTITION OF cityops.sensor_reading DEFAULT;
REVOKE ALL ON cityops.sensor_reading FROM PUBLIC, cityops_user;
REVOKE ALL ON cityops.sensor_reading_default FROM PUBLIC, cityops_user;
ALTER TABLE cityops.sensor_reading ENABLE ROW LEVEL SECURITY;
ALTER TABLE cityops.sensor_reading_default ENABLE ROW LEVEL SECURITY;

-- What ingest COPYs a batch of sensor readings into; taken out again in
-- the same transaction by ingest_sensor_inbox().
CREATE UNLOGGED TABLE cityops.sensor_inbox (
	sensor_id text,
	value     float8,
	at        timestamptz,
	xid       xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX sensor_inbox_xid ON cityops.sensor_inbox (xid);
REVOKE ALL ON cityops.sensor_inbox FROM PUBLIC, cityops_user;
GRANT INSERT ON cityops.sensor_inbox TO cityops_ingest;

-- The rollup that makes an indicator. Members: every sensor matching all
-- the selectors given (region subtree, kind, group, one sensor); at least
-- one is given. fn over the latest reading of each member observed within
-- window_s of the indicator's time: max, min, mean, sum, count_above (arg:
-- the threshold, strictly above), percentile (arg: 0..1, interpolated as
-- percentile_cont).
CREATE TABLE cityops.indicator_rollup (
	indicator_id text PRIMARY KEY REFERENCES cityops.indicator,
	fn           text NOT NULL CHECK (fn IN ('max', 'min', 'mean', 'sum', 'count_above', 'percentile')),
	arg          float8,
	window_s     int NOT NULL CHECK (window_s BETWEEN 1 AND 86400),
	region_code  text REFERENCES cityops.region,
	kind         text,
	grp          text,
	sensor_id    text REFERENCES cityops.sensor,
	defined_by   name NOT NULL,
	defined_at   timestamptz NOT NULL DEFAULT now(),
	CHECK (num_nonnulls(region_code, kind, grp, sensor_id) > 0),
	CHECK ((fn IN ('count_above', 'percentile')) = (arg IS NOT NULL)),
	CHECK (fn <> 'percentile' OR arg BETWEEN 0 AND 1)
);
REVOKE ALL ON cityops.indicator_rollup FROM PUBLIC;
ALTER TABLE cityops.indicator_rollup ENABLE ROW LEVEL SECURITY;

-- Retention: sensor history is kept 7 days by default (indicators keep
-- theirs for ever unless a city sets one).
ALTER TABLE cityops.partition_retention DROP CONSTRAINT partition_retention_table_name_check;
ALTER TABLE cityops.partition_retention ADD CONSTRAINT partition_retention_table_name_check
	CHECK (table_name IN ('reading', 'sensor_reading'));
INSERT INTO cityops.partition_retention VALUES ('sensor_reading', 7, 3);
