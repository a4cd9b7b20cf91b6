-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Drill resources (演练力量): exercise units and exercise indicators for the
-- drills in drills/. Applied after demo.sql (seeds go in name order) by
-- `cityops db seed --demo`, as the superuser. Running it twice adds nothing.
--
-- Exercise units (call signs EX-<DIST>-<KIND><NN>) and exercise indicators
-- (ids ex.<dist>.…) carry exercise = true: drills dispatch and feed only
-- these, and real unit lists, recommendations, vital signs, alarms and
-- region rollups never show them (migration 008).

INSERT INTO cityops.unit (callsign, name, kind, department_code, region_code, lat, lon, exercise)
SELECT v.callsign, v.name, v.kind, v.dept, v.region, v.lat, v.lon, true
FROM (VALUES
	-- 奉贤: flood and typhoon defence
	('EX-FX-D01', '【演练】奉贤排水 大流量泵车一号', 'D', 'drainage',  '310120101', 30.917500, 121.455000),
	('EX-FX-D02', '【演练】奉贤排水 大流量泵车二号', 'D', 'drainage',  '310120106', 30.994500, 121.514500),
	('EX-FX-D03', '【演练】奉贤排水 移动泵车三号',   'D', 'drainage',  '310120102', 30.926500, 121.641500),
	('EX-FX-D04', '【演练】奉贤排水 移动泵车四号',   'D', 'drainage',  '310120123', 30.821000, 121.571000),
	('EX-FX-F01', '【演练】南桥消防救援站 水罐车',   'F', 'fire',      '310120101', 30.918500, 121.458500),
	('EX-FX-F02', '【演练】海湾消防救援站 抢险车',   'F', 'fire',      '310120123', 30.820000, 121.569000),
	('EX-FX-P01', '【演练】南桥派出所 巡逻组',       'P', 'police',    '310120101', 30.920500, 121.456500),
	('EX-FX-R01', '【演练】奉贤道路养护 清障车',     'R', 'road',      '310120111', 30.904000, 121.556000),
	('EX-FX-E01', '【演练】奉贤供电 抢修车',         'E', 'power',     '310120001', 30.969000, 121.448000),
	('EX-FX-A01', '【演练】奉贤急救分站 救护车',     'A', 'ems',       '310120101', 30.919000, 121.459000),
	-- 黄浦: crowds on the Bund, gas, fire
	('EX-HP-P01', '【演练】外滩派出所 巡逻一组',     'P', 'police',    '310101013', 31.240500, 121.490000),
	('EX-HP-P02', '【演练】外滩派出所 巡逻二组',     'P', 'police',    '310101013', 31.239500, 121.489500),
	('EX-HP-P03', '【演练】南京东路派出所 巡逻组',   'P', 'police',    '310101002', 31.237800, 121.481500),
	('EX-HP-P04', '【演练】黄浦公安 特警机动队',     'P', 'police',    '310101018', 31.226500, 121.488500),
	('EX-HP-M01', '【演练】地铁南京东路站 站务组',   'M', 'metro',     '310101002', 31.238300, 121.484400),
	('EX-HP-M02', '【演练】地铁豫园站 站务组',       'M', 'metro',     '310101018', 31.227200, 121.490300),
	('EX-HP-A01', '【演练】黄浦急救分站 救护车',     'A', 'ems',       '310101017', 31.224500, 121.499500),
	('EX-HP-F01', '【演练】黄浦消防救援站 水罐车',   'F', 'fire',      '310101019', 31.220000, 121.481000),
	('EX-HP-F02', '【演练】黄浦消防救援站 抢险车',   'F', 'fire',      '310101021', 31.207000, 121.468000),
	('EX-HP-G01', '【演练】黄浦燃气 抢险一组',       'G', 'gas',       '310101021', 31.207800, 121.467800),
	('EX-HP-G02', '【演练】黄浦燃气 抢险二组',       'G', 'gas',       '310101019', 31.220800, 121.480800)
) v(callsign, name, kind, dept, region, lat, lon)
WHERE NOT EXISTS (SELECT 1 FROM cityops.unit u WHERE u.callsign = v.callsign)
	AND EXISTS (SELECT 1 FROM cityops.region r WHERE r.code = v.region)
	AND EXISTS (SELECT 1 FROM cityops.department d WHERE d.code = v.dept);

INSERT INTO cityops.indicator (id, category_code, name, uom, region_code, side, warn, alarm,
	hysteresis, department_code, stale_s, exercise)
SELECT v.id, v.category, v.name, v.uom, v.region, v.side, v.warn, v.alarm, v.hyst, v.dept,
	v.stale_s, true
FROM (VALUES
	('ex.fx.tide.jinhui',   'water',   '【演练】金汇港潮位',             'm',       '310120106', 'high', 4.2,   4.6,   0.05, 'water',    600),
	('ex.fx.tide.zhelin',   'water',   '【演练】柘林塘潮位',             'm',       '310120118', 'high', 4.5,   4.9,   0.05, 'water',    600),
	('ex.fx.rain.nanqiao',  'weather', '【演练】南桥镇1小时雨量',        'mm',      '310120101', 'high', 20,    50,    2,    'weather',  900),
	('ex.fx.wind.haiwan',   'weather', '【演练】海湾镇海岸风速',         'km/h',    '310120123', 'high', 50,    75,    3,    'weather',  900),
	('ex.fx.pond.nanqiao',  'water',   '【演练】南桥镇易积水点积水深度', 'mm',      '310120101', 'high', 150,   250,   10,   'drainage', 600),
	('ex.fx.pond.jinhai',   'water',   '【演练】金海路下立交积水深度',   'mm',      '310120003', 'high', 150,   250,   10,   'drainage', 600),
	('ex.fx.hotline',       'hotline', '【演练】奉贤12345来电量',        '件/小时', '310120',    'high', 60,    100,   5,    'hotline',  3600),
	('ex.hp.crowd.bund',    'crowd',   '【演练】外滩观景平台人流',       '人',      '310101013', 'high', 60000, 80000, 3000, 'police',   300),
	('ex.hp.crowd.nanjingdonglu', 'crowd', '【演练】南京路步行街人流',   '人',      '310101002', 'high', 70000, 90000, 3000, 'police',   300),
	('ex.hp.metro.east_nanjing', 'traffic', '【演练】南京东路站进站客流', '人/小时', '310101002', 'high', 12000, 16000, 500,  'metro',    300),
	('ex.hp.gas.pressure',  'energy',  '【演练】黄浦燃气管网压力',       'kPa',     '310101021', 'low',  2.0,   1.5,   0.1,  'gas',      900),
	('ex.hp.gas.lel',       'safety',  '【演练】瑞金二路燃气浓度',       '%LEL',    '310101023', 'high', 10,    25,    1,    'gas',      300)
) v(id, category, name, uom, region, side, warn, alarm, hyst, dept, stale_s)
WHERE NOT EXISTS (SELECT 1 FROM cityops.indicator i WHERE i.id = v.id)
	AND EXISTS (SELECT 1 FROM cityops.region r WHERE r.code = v.region)
	AND EXISTS (SELECT 1 FROM cityops.department d WHERE d.code = v.dept);
