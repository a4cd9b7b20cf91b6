-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The feed simulator's NGSI-LD entities (scenarios/*.scn) and the
-- indicators their attributes feed: what an operator would enter with
-- cityops.entity_map_set for a real sensor platform. Applied after the
-- demo seed (names are applied in order); safe to apply again.
INSERT INTO cityops.entity_map (entity_type, entity_id, attribute, indicator_id) VALUES
	('WeatherObserved',     'urn:ngsi-ld:WeatherObserved:fx-tide-jinhui', 'streamGauge',         'fx.tide.jinhui'),
	('WeatherObserved',     'urn:ngsi-ld:WeatherObserved:fx-tide-zhelin', 'streamGauge',         'fx.tide.zhelin'),
	('WeatherObserved',     'urn:ngsi-ld:WeatherObserved:fx-haiwan',      'precipitation',       'fx.rain.haiwan'),
	('WeatherObserved',     'urn:ngsi-ld:WeatherObserved:fx-haiwan',      'windSpeed',           'fx.wind.haiwan'),
	('WeatherObserved',     'urn:ngsi-ld:WeatherObserved:hp-huangpupark', 'streamGauge',         'hp.tide.huangpupark'),
	('TrafficFlowObserved', 'urn:ngsi-ld:TrafficFlowObserved:fx-s4-nanqiao', 'averageVehicleSpeed', 'fx.speed'),
	('AirQualityObserved',  'urn:ngsi-ld:AirQualityObserved:fx-nanqiao',  'pm25',                'fx.pm25'),
	('AirQualityObserved',  'urn:ngsi-ld:AirQualityObserved:hp-huaihai',  'pm25',                'hp.pm25'),
	('CrowdFlowObserved',   'urn:ngsi-ld:CrowdFlowObserved:fx-bihai',     'peopleCount',         'fx.crowd.bihai'),
	('CrowdFlowObserved',   'urn:ngsi-ld:CrowdFlowObserved:hp-district',  'peopleCount',         'hp.crowd'),
	('NoiseLevelObserved',  'urn:ngsi-ld:NoiseLevelObserved:hp-huaihai',  'LAeq',                'hp.noise.huaihai')
ON CONFLICT ON CONSTRAINT entity_map_pkey DO NOTHING;
