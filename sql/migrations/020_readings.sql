-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 020_readings: readings and reports where and when they happened (issue 10).
--
-- Units: every indicator names its unit by UN/CEFACT common code (Rec. 20)
-- beside its display symbol (uom); readings are converted from the
-- source's unit in ingest (console/feed/feed-unit.c holds the conversion
-- factors and the Smart Data Model defaults, docs/ingest.md "Units").
-- Place: regions carry an extent (a polygon in WGS84 longitude/latitude;
-- the city's extent is the city's bounds). Mapping: a row may name an
-- entity id pattern and the source's unit. Unmapped attributes are listed.
-- Tables, types and data only; functions are in sql/functions/55_catalogue.sql.

CREATE TABLE cityops.unit_of_measure (
	code      text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{2,3}$'),
	symbol    text NOT NULL,
	dimension text NOT NULL,      -- units of one dimension convert into each other
	name      text NOT NULL
);
REVOKE ALL ON cityops.unit_of_measure FROM PUBLIC;
GRANT SELECT ON cityops.unit_of_measure TO cityops_user;

INSERT INTO cityops.unit_of_measure (code, symbol, dimension, name) VALUES
	('MTR', 'm',      'length',        'metre'),
	('CMT', 'cm',     'length',        'centimetre'),
	('MMT', 'mm',     'length',        'millimetre'),
	('KMT', 'km',     'length',        'kilometre'),
	('MTS', 'm/s',    'speed',         'metre per second'),
	('KMH', 'km/h',   'speed',         'kilometre per hour'),
	('KNT', 'kn',     'speed',         'knot'),
	('CEL', '°C',     'temperature',   'degree Celsius'),
	('KEL', 'K',      'temperature',   'kelvin'),
	('FAH', '°F',     'temperature',   'degree Fahrenheit'),
	('PAL', 'Pa',     'pressure',      'pascal'),
	('KPA', 'kPa',    'pressure',      'kilopascal'),
	('A97', 'hPa',    'pressure',      'hectopascal'),
	('MBR', 'mbar',   'pressure',      'millibar'),
	('GQ',  'μg/m³',  'concentration', 'microgram per cubic metre'),
	('GP',  'mg/m³',  'concentration', 'milligram per cubic metre'),
	('KWT', 'kW',     'power',         'kilowatt'),
	('MAW', 'MW',     'power',         'megawatt'),
	('2N',  'dB(A)',  'sound_level',   'decibel'),
	('P1',  '%',      'ratio',         'percent'),
	('C62', '',       'count',         'one (a count or an index)'),
	('H87', '件/小时', 'rate',          'piece (per hour)'),
	('E50', '人/小时', 'flow',          'accounting unit (persons per hour)');

ALTER TABLE cityops.indicator ADD COLUMN unit_code text REFERENCES cityops.unit_of_measure;
ALTER TABLE cityops.indicator ADD COLUMN retired_at timestamptz;

-- The units the shipped indicators already used, by their symbol.
CREATE TABLE cityops.uom_symbol (
	symbol text PRIMARY KEY,
	code   text NOT NULL REFERENCES cityops.unit_of_measure
);
REVOKE ALL ON cityops.uom_symbol FROM PUBLIC;
GRANT SELECT ON cityops.uom_symbol TO cityops_user;
INSERT INTO cityops.uom_symbol VALUES
	('m', 'MTR'), ('cm', 'CMT'), ('mm', 'MMT'), ('km', 'KMT'), ('m/s', 'MTS'),
	('km/h', 'KMH'), ('°C', 'CEL'), ('℃', 'CEL'), ('K', 'KEL'), ('Pa', 'PAL'),
	('kPa', 'KPA'), ('hPa', 'A97'), ('μg/m³', 'GQ'), ('µg/m³', 'GQ'),
	('mg/m³', 'GP'), ('kW', 'KWT'), ('MW', 'MAW'), ('dB(A)', '2N'), ('dB', '2N'),
	('%', 'P1'), ('人', 'C62'), ('指数', 'C62'), ('件', 'C62'), ('件/小时', 'H87'),
	('人/小时', 'E50');
UPDATE cityops.indicator i SET unit_code = s.code FROM cityops.uom_symbol s
	WHERE s.symbol = i.uom AND i.unit_code IS NULL;

-- ------------------------------------------------------------------------
-- Mapping: the entity id may be a pattern ('*' any run of characters),
-- matched against the entity id or its stable attribute (refDevice,
-- refPointOfInterest, stationCode); unit_code overrides the source's
-- unit when the source sends none and its model has no default.
ALTER TABLE cityops.entity_map ADD COLUMN unit_code text REFERENCES cityops.unit_of_measure;

-- What ingest saw and could not map, for `feed unmapped`.
CREATE TABLE cityops.feed_unmapped (
	entity_type text NOT NULL,
	entity_id   text NOT NULL,
	attribute   text NOT NULL,
	unit_code   text,
	first_seen  timestamptz NOT NULL DEFAULT cityops.now(),
	last_seen   timestamptz NOT NULL DEFAULT cityops.now(),
	seen        bigint NOT NULL DEFAULT 1,
	PRIMARY KEY (entity_type, entity_id, attribute)
);
-- Owner only: written and read through SECURITY DEFINER functions with
-- role checks (feed_unmapped_note, feed_unmapped); no policy.
REVOKE ALL ON cityops.feed_unmapped FROM PUBLIC;
ALTER TABLE cityops.feed_unmapped ENABLE ROW LEVEL SECURITY;

-- ------------------------------------------------------------------------
-- Incident categories of the sources' own vocabularies: FIWARE Alert
-- category/subCategory, Open311 service_code/service_name. The most
-- specific row wins (subCategory before category); lower-case keys.
CREATE TABLE cityops.source_category (
	source   text NOT NULL CHECK (source IN ('fiware', 'open311', 'cap')),
	key      text NOT NULL CHECK (key = lower(key)),
	category text NOT NULL REFERENCES cityops.category,
	PRIMARY KEY (source, key)
);
REVOKE ALL ON cityops.source_category FROM PUBLIC;
GRANT SELECT ON cityops.source_category TO cityops_user;
INSERT INTO cityops.source_category VALUES
	-- FIWARE Alert (dataModel.Alert): category, and subCategory values.
	('fiware', 'traffic', 'traffic'), ('fiware', 'trafficjam', 'traffic'),
	('fiware', 'caraccident', 'traffic'),
	('fiware', 'carwrongdirection', 'traffic'), ('fiware', 'carstopped', 'traffic'),
	('fiware', 'pothole', 'road'), ('fiware', 'roadclosed', 'road'),
	('fiware', 'roadworks', 'road'), ('fiware', 'hazardonroad', 'road'),
	('fiware', 'naturaldisaster', 'typhoon'), ('fiware', 'weather', 'typhoon'),
	('fiware', 'flood', 'flood'), ('fiware', 'heavyrain', 'flood'),
	('fiware', 'fire', 'fire'), ('fiware', 'forestfire', 'fire'),
	('fiware', 'environment', 'pollution'), ('fiware', 'airpollution', 'pollution'),
	('fiware', 'waterpollution', 'pollution'), ('fiware', 'noisepollution', 'noise'),
	('fiware', 'health', 'medical'), ('fiware', 'heartattack', 'medical'),
	('fiware', 'fallendown', 'medical'), ('fiware', 'security', 'public_order'),
	('fiware', 'robbery', 'public_order'), ('fiware', 'assault', 'public_order'),
	('fiware', 'agriculture', 'city_mgmt'),
	-- Open311 GeoReport v2 examples (service_code as in the spec's own
	-- examples) and common service names.
	('open311', '001', 'road'), ('open311', 'pothole', 'road'),
	('open311', 'cans left out 24x7', 'city_mgmt'), ('open311', '006', 'city_mgmt'),
	('open311', 'graffiti', 'city_mgmt'), ('open311', 'graffiti removal', 'city_mgmt'),
	('open311', 'street light', 'road'), ('open311', 'streetlight', 'road'),
	('open311', 'abandoned vehicle', 'traffic'), ('open311', 'noise', 'noise'),
	('open311', 'water leak', 'water'), ('open311', 'sewer', 'flood'),
	('open311', 'illegal dumping', 'city_mgmt'), ('open311', 'tree', 'typhoon');

-- ------------------------------------------------------------------------
-- Region extents (WGS84: x = longitude, y = latitude). The city region's
-- extent is the city's bounds; a point outside it is out of area. Data in
-- GCJ-02 (Chinese web maps) must be converted to WGS84 before import.
ALTER TABLE cityops.region ADD COLUMN extent polygon;

-- Shanghai's bounds (including Chongming) and approximate boxes around
-- the reference districts: good enough to tell Shanghai from Madrid and
-- one side of the city from the other; `region import` loads real ones.
UPDATE cityops.region SET extent = polygon(box(point(120.85, 30.66), point(122.20, 31.88)))
	WHERE code = '310000';
UPDATE cityops.region r SET extent = polygon(box(
		point(r.lon - d.dx, r.lat - d.dy), point(r.lon + d.dx, r.lat + d.dy)))
	FROM (SELECT code, CASE WHEN code IN ('310101', '310104', '310105', '310106',
			'310107', '310109', '310110') THEN 0.045 ELSE 0.22 END AS dx,
		CASE WHEN code IN ('310101', '310104', '310105', '310106', '310107',
			'310109', '310110') THEN 0.04 ELSE 0.2 END AS dy
		FROM cityops.region WHERE level = 'district') d
	WHERE d.code = r.code AND r.lat IS NOT NULL;
