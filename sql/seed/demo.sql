-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Demo city: streets, grids and communities of 黄浦区 and 奉贤区, departments,
-- operators, ~60 units, 150+ indicators with 24 h of readings, and ~25
-- incidents in every state. Applied after the migrations by
-- `cityops db seed --demo`, as the superuser.
--
-- Applying it twice is a no-op with a NOTICE: everything is done by
-- pg_temp.seed_demo(), which first checks whether the demo streets exist.
--
-- Incidents are not inserted by hand: they are played through the real API
-- (incident_raise, incident_act, unit_set_status) as the demo operators,
-- with cityops.clock_offset moving the clock back, so timelines, SLA
-- deadlines, unit statuses and assignments are consistent by construction.
-- An operator's session cannot move its clock (migration 014): the seed
-- may, because it runs as the owner and first grants its own transaction
-- the right in cityops.clock_grant, which only the owner can write; the
-- grant is taken back before the transaction commits.

-- Runs p_sql as operator p_login with the clock p_ago in the past and
-- returns its first column. SET SESSION AUTHORIZATION changes session_user,
-- which is who the API takes the caller to be.
CREATE OR REPLACE FUNCTION pg_temp.as_op(p_login name, p_ago interval, p_sql text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
	v_result text;
BEGIN
	PERFORM set_config('cityops.clock_offset', (-p_ago)::text, false);
	EXECUTE format('SET SESSION AUTHORIZATION %I', p_login);
	EXECUTE p_sql INTO v_result;
	RESET SESSION AUTHORIZATION;
	PERFORM set_config('cityops.clock_offset', '', false);
	RETURN v_result;
END
$$;

-- Raises an incident p_min minutes ago; returns its ref.
CREATE OR REPLACE FUNCTION pg_temp.raise(p_login name, p_min int, p_category text,
	p_priority int, p_region text, p_title text, p_location text, p_description text,
	p_source text, p_dedup text DEFAULT NULL, p_exercise bool DEFAULT false)
RETURNS text
LANGUAGE sql
AS $$
	SELECT pg_temp.as_op(p_login, make_interval(mins => p_min), format(
		'SELECT ref FROM cityops.incident_raise(%L, %s, %L, %L, %L, %L, %L, %L, %L)',
		p_category, p_priority, p_region, p_title, p_location, p_description, p_source,
		p_dedup, p_exercise))
$$;

-- Acts on incident p_ref p_min minutes ago.
CREATE OR REPLACE FUNCTION pg_temp.act(p_login name, p_min int, p_ref text, p_action text,
	p_note text DEFAULT NULL, p_units text[] DEFAULT NULL)
RETURNS void
LANGUAGE sql
AS $$
	SELECT pg_temp.as_op(p_login, make_interval(mins => p_min), format(
		'SELECT to_state FROM cityops.incident_act(%L, %L, %L, %L)',
		p_ref, p_action, p_note, p_units));
$$;

CREATE OR REPLACE FUNCTION pg_temp.seed_regions() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	-- Streets and towns (GB/T 2260 township codes) with approximate centroids.
	INSERT INTO cityops.region (code, parent_code, name, level, lat, lon) VALUES
		('310101002', '310101', '南京东路街道', 'street', 31.238000, 121.480000),
		('310101013', '310101', '外滩街道',     'street', 31.240000, 121.490000),
		('310101015', '310101', '半淞园路街道', 'street', 31.205000, 121.495000),
		('310101017', '310101', '小东门街道',   'street', 31.224000, 121.499000),
		('310101018', '310101', '豫园街道',     'street', 31.227000, 121.489000),
		('310101019', '310101', '老西门街道',   'street', 31.220000, 121.480000),
		('310101020', '310101', '五里桥街道',   'street', 31.200000, 121.475000),
		('310101021', '310101', '打浦桥街道',   'street', 31.207000, 121.468000),
		('310101022', '310101', '淮海中路街道', 'street', 31.222000, 121.470000),
		('310101023', '310101', '瑞金二路街道', 'street', 31.213000, 121.462000),
		('310120001', '310120', '西渡街道',     'street', 30.968000, 121.447000),
		('310120002', '310120', '奉浦街道',     'street', 30.935000, 121.495000),
		('310120003', '310120', '金海街道',     'street', 30.930000, 121.515000),
		('310120101', '310120', '南桥镇',       'street', 30.919000, 121.457000),
		('310120102', '310120', '奉城镇',       'street', 30.925000, 121.640000),
		('310120104', '310120', '庄行镇',       'street', 30.895000, 121.385000),
		('310120106', '310120', '金汇镇',       'street', 30.995000, 121.515000),
		('310120109', '310120', '四团镇',       'street', 30.920000, 121.720000),
		('310120111', '310120', '青村镇',       'street', 30.903000, 121.555000),
		('310120118', '310120', '柘林镇',       'street', 30.850000, 121.485000),
		('310120123', '310120', '海湾镇',       'street', 30.820000, 121.570000);

	-- Three grids per street (网格化管理), spread around the street centroid.
	INSERT INTO cityops.region (code, parent_code, name, level, lat, lon)
	SELECT s.code || '-0' || g, s.code, s.short_name || '第' || g || '网格', 'grid',
		s.lat + 0.004 * (g - 2), s.lon + 0.003 * (g - 2)
	FROM cityops.region s, generate_series(1, 3) g
	WHERE s.level = 'street';

	-- Extents (issue 10): a box around each street's centroid (about
	-- 2.6 km by 2.2 km) and each grid's; a real city imports polygons with
	-- `region import FILE` (GeoJSON, WGS84).
	UPDATE cityops.region SET extent = polygon(box(point(lon - 0.0135, lat - 0.01),
		point(lon + 0.0135, lat + 0.01))) WHERE level = 'street';
	UPDATE cityops.region SET extent = polygon(box(point(lon - 0.0015, lat - 0.002),
		point(lon + 0.0015, lat + 0.002))) WHERE level = 'grid';

	-- A few residents' committees and villages (居委/村).
	INSERT INTO cityops.region (code, parent_code, name, level, lat, lon) VALUES
		('310101002001', '310101002-01', '贵州居委会',     'community', 31.238500, 121.478000),
		('310101002002', '310101002-02', '云南中路居委会', 'community', 31.236000, 121.481000),
		('310101013001', '310101013-01', '宁波路居委会',   'community', 31.241000, 121.487000),
		('310101013002', '310101013-02', '福州路居委会',   'community', 31.237500, 121.488500),
		('310101018001', '310101018-01', '梧桐居委会',     'community', 31.226000, 121.487500),
		('310120101001', '310120101-01', '贝港居委会',     'community', 30.915500, 121.454000),
		('310120101002', '310120101-02', '江海村',         'community', 30.920000, 121.460000),
		('310120101003', '310120101-03', '杨王村',         'community', 30.923500, 121.461000),
		('310120106001', '310120106-01', '金汇村',         'community', 30.991500, 121.512000),
		('310120123001', '310120123-01', '星火村',         'community', 30.816000, 121.567000),
		('310120102001', '310120102-02', '奉城居委会',     'community', 30.925500, 121.640500);
END
$$;

CREATE OR REPLACE FUNCTION pg_temp.seed_operators() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
	o record;
BEGIN
	INSERT INTO cityops.department (code, name) VALUES
		('fire', '消防救援'), ('police', '公安'), ('ems', '急救中心'),
		('chengguan', '城管执法'), ('water', '水务'), ('drainage', '排水'),
		('gas', '燃气'), ('power', '电力'), ('road', '道路养护'), ('metro', '地铁'),
		('weather', '气象'), ('environment', '生态环境'), ('transport', '交通'),
		('hotline', '12345热线');

	-- Login roles are cluster-wide: another database may have made them.
	FOR o IN SELECT * FROM (VALUES
		('officer_city', '王伟', 'officer',    '310000'),
		('super_city',   '李静', 'supervisor', '310000'),
		('officer_fx',   '张敏', 'officer',    '310120'),
		('super_fx',     '陈刚', 'supervisor', '310120'),
		('officer_hp',   '刘洋', 'officer',    '310101'),
		('viewer_wall',  '大屏', 'viewer',     '310000'),
		('admin_city',   '赵强', 'admin',      '310000')) v(login, display_name, role, scope)
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = o.login) THEN
			EXECUTE format('CREATE ROLE %I LOGIN', o.login);
		END IF;
		EXECUTE format('GRANT cityops_user TO %I', o.login);
		INSERT INTO cityops.operator (login, display_name, role, scope_code)
			VALUES (o.login, o.display_name, o.role, o.scope);
	END LOOP;
END
$$;

-- Call signs <DIST>-<KIND><NN>: fire, police and ambulance in every
-- district; the two demo districts get their drainage, water, gas, power,
-- road, 城管 and metro crews too.
CREATE OR REPLACE FUNCTION pg_temp.seed_units() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	INSERT INTO cityops.unit (callsign, name, kind, department_code, region_code, lat, lon)
	SELECT d.abbr || '-' || k.code || '01',
		d.short_name || CASE k.code WHEN 'F' THEN '消防救援站 水罐消防车'
			WHEN 'P' THEN '公安分局 巡逻车' ELSE '急救分站 救护车' END,
		k.code, CASE k.code WHEN 'F' THEN 'fire' WHEN 'P' THEN 'police' ELSE 'ems' END,
		d.code, d.lat + 0.01 * ((abs(hashtext(d.code || k.code)) % 7) - 3) / 3,
		d.lon + 0.01 * ((abs(hashtext(k.code || d.code)) % 7) - 3) / 3
	FROM cityops.region d CROSS JOIN (VALUES ('F'), ('P'), ('A')) k(code)
	WHERE d.level = 'district';

	INSERT INTO cityops.unit (callsign, name, kind, department_code, region_code, lat, lon) VALUES
		('HP-F02', '外滩消防救援站 登高平台车', 'F', 'fire',      '310101013', 31.239000, 121.489000),
		('HP-P02', '外滩派出所 巡逻组',         'P', 'police',    '310101013', 31.240500, 121.490500),
		('HP-P03', '南京东路派出所 巡逻组',     'P', 'police',    '310101002', 31.237500, 121.481000),
		('HP-C01', '黄浦城管执法中队一组',      'C', 'chengguan', '310101018', 31.227500, 121.488000),
		('HP-C02', '黄浦城管执法中队二组',      'C', 'chengguan', '310101022', 31.221500, 121.470500),
		('HP-D01', '黄浦排水 移动泵车',         'D', 'drainage',  '310101015', 31.205500, 121.494000),
		('HP-W01', '黄浦供水 抢修车',           'W', 'water',     '310101020', 31.200500, 121.475500),
		('HP-G01', '黄浦燃气 抢险车',           'G', 'gas',       '310101021', 31.207500, 121.467500),
		('HP-E01', '黄浦供电 抢修车',           'E', 'power',     '310101019', 31.220500, 121.480500),
		('HP-R01', '黄浦道路养护 巡查车',       'R', 'road',      '310101023', 31.213500, 121.462500),
		('HP-M01', '地铁南京东路站 站务组',     'M', 'metro',     '310101002', 31.238200, 121.484200),
		('FX-F02', '南桥消防救援站 抢险救援车', 'F', 'fire',      '310120101', 30.918000, 121.458000),
		('FX-P02', '南桥派出所 巡逻组',         'P', 'police',    '310120101', 30.920000, 121.456000),
		('FX-D01', '奉贤排水 大流量泵车一号',   'D', 'drainage',  '310120101', 30.917000, 121.455500),
		('FX-D02', '奉贤排水 大流量泵车二号',   'D', 'drainage',  '310120106', 30.994000, 121.514000),
		('FX-D03', '奉贤排水 移动泵车',         'D', 'drainage',  '310120102', 30.926000, 121.641000),
		('FX-W01', '奉贤自来水 抢修车',         'W', 'water',     '310120002', 30.935500, 121.495500),
		('FX-G01', '奉贤燃气 抢险车',           'G', 'gas',       '310120003', 30.930500, 121.515500),
		('FX-E01', '奉贤供电 抢修车',           'E', 'power',     '310120001', 30.968500, 121.447500),
		('FX-R01', '奉贤道路养护 巡查车',       'R', 'road',      '310120111', 30.903500, 121.555500),
		('FX-R02', '奉贤道路养护 清障车',       'R', 'road',      '310120123', 30.820500, 121.570500),
		('FX-C01', '南桥城管执法中队',          'C', 'chengguan', '310120101', 30.919500, 121.457500),
		('FX-C02', '奉城城管执法中队',          'C', 'chengguan', '310120102', 30.925500, 121.639500);
END
$$;

-- Indicators: nine district-wide ones in each of the 16 districts, plus
-- the named sites of the demo districts. base/amp shape the 24 h history
-- (a daily wave plus noise); target, when set, is where the last reading
-- ends up (to put a few indicators in warn or alarm now); a stale
-- indicator simply stops reporting two hours ago.
CREATE OR REPLACE FUNCTION pg_temp.seed_indicators() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	CREATE TEMP TABLE seed_indicator (
		id text, category text, name text, uom text, region text, side text,
		warn numeric, alarm numeric, hyst numeric, dept text, stale_s int,
		base numeric, amp numeric, target numeric, stale bool DEFAULT false
	) ON COMMIT DROP;

	-- District-wide templates, scaled a little per district.
	INSERT INTO seed_indicator
	SELECT lower(d.abbr) || '.' || t.metric, t.category, d.short_name || t.name, t.uom, d.code,
		t.side, t.warn, t.alarm, t.hyst, t.dept, t.stale_s,
		round(t.base * (0.8 + 0.4 * (abs(hashtext(d.code || t.metric)) % 100) / 100.0), 2),
		t.amp, NULL
	FROM cityops.region d CROSS JOIN (VALUES
		('rain',   'weather',     '1小时雨量',     'mm',     'high',  20,   50,   2,   'weather',     900,   1.5,  1.5),
		('wind',   'weather',     '平均风速',      'km/h',   'high',  39,   62,   3,   'weather',     900,   12,   6),
		('tpi',    'traffic',     '道路拥堵指数',  '指数',   'high',  6,    8,    0.3, 'transport',   600,   3.5,  2),
		('speed',  'traffic',     '主干道平均车速','km/h',   'low',   25,   15,   2,   'transport',   600,   38,   8),
		('pm25',   'environment', 'PM2.5浓度',     'μg/m³',  'high',  75,   115,  5,   'environment', 3600,  32,   10),
		('load',   'energy',      '电网负荷',      'MW',     'high',  1800, 2100, 30,  'power',       900,   1100, 300),
		('crowd',  'crowd',       '重点区域人流',  '人',     'high',  40000,60000,2000,'police',      600,   12000,8000),
		('hotline','hotline',     '12345工单量',   '件/小时','high',  60,   100,  5,   'hotline',     3600,  18,   10),
		('river',  'water',       '内河水位',      'm',      'high',  3.8,  4.2,  0.05,'water',       900,   2.9,  0.25))
		t(metric, category, name, uom, side, warn, alarm, hyst, dept, stale_s, base, amp)
	WHERE d.level = 'district';

	-- Named sites.
	INSERT INTO seed_indicator VALUES
		('fx.tide.jinhui',      'water',   '金汇港潮位',           'm',     '310120106', 'high', 4.2,  4.6,  0.05, 'water',     600,  3.4,  0.6,  4.68),
		('fx.tide.zhelin',      'water',   '柘林塘潮位',           'm',     '310120118', 'high', 4.5,  4.9,  0.05, 'water',     600,  3.6,  0.6,  4.55),
		('fx.pond.nanqiao',     'water',   '南桥镇易积水点积水深度','mm',   '310120101', 'high', 150,  250,  10,   'drainage',  600,  5,    5,    265),
		('fx.pond.fengcheng',   'water',   '奉城镇易积水点积水深度','mm',   '310120102', 'high', 150,  250,  10,   'drainage',  600,  5,    5,    160),
		('fx.pond.jinhai',      'water',   '金海路下立交积水深度', 'mm',    '310120003', 'high', 150,  250,  10,   'drainage',  600,  3,    3,    NULL),
		('fx.pump.xidu',        'water',   '西渡泵站前池水位',     'm',     '310120001', 'high', 3.2,  3.6,  0.05, 'drainage',  600,  2.4,  0.3,  NULL),
		('fx.rain.haiwan',      'weather', '海湾镇1小时雨量',      'mm',    '310120123', 'high', 20,   50,   2,    'weather',   900,  4,    4,    38),
		('fx.wind.haiwan',      'weather', '海湾镇海岸风速',       'km/h',  '310120123', 'high', 50,   75,   3,    'weather',   900,  25,   10,   NULL),
		('fx.gas.nanqiao',      'energy',  '南桥燃气管网压力',     'kPa',   '310120101', 'low',  2.0,  1.5,  0.1,  'gas',       900,  2.6,  0.1,  NULL),
		('fx.fire.calls',       'safety',  '奉贤火警接警量',       '件/小时','310120',   'high', 8,    15,   1,    'fire',      3600, 1.5,  1,    NULL),
		('fx.crowd.bihai',      'crowd',   '碧海金沙景区人流',     '人',    '310120123', 'high', 15000,22000,800,  'police',    600,  3000, 2500, NULL),
		('hp.crowd.bund',       'crowd',   '外滩观景平台人流',     '人',    '310101013', 'high', 60000,80000,3000, 'police',    300,  20000,15000,68000),
		('hp.crowd.yuyuan',     'crowd',   '豫园商城人流',         '人',    '310101018', 'high', 35000,50000,2000, 'police',    300,  12000,8000, NULL),
		('hp.crowd.nanjingdonglu','crowd', '南京路步行街人流',     '人',    '310101002', 'high', 70000,90000,3000, 'police',    300,  30000,15000,NULL),
		('hp.crowd.xintiandi',  'crowd',   '新天地人流',           '人',    '310101022', 'high', 25000,35000,1500, 'police',    300,  8000, 5000, NULL),
		('hp.tide.huangpupark', 'water',   '黄浦公园潮位',         'm',     '310101013', 'high', 4.8,  5.3,  0.05, 'water',     600,  3.6,  0.7,  NULL),
		('hp.tide.wusongkou',   'water',   '吴淞口潮位（黄浦监测）','m',    '310101013', 'high', 5.0,  5.5,  0.05, 'water',     600,  3.8,  0.7,  NULL),
		('hp.gas.pressure',     'energy',  '黄浦燃气管网压力',     'kPa',   '310101021', 'low',  2.0,  1.5,  0.1,  'gas',       900,  2.6,  0.1,  NULL),
		('hp.metro.east_nanjing','traffic','南京东路站进站客流',   '人/小时','310101002','high', 12000,16000,500,  'metro',     300,  5000, 3500, NULL),
		('hp.tunnel.yanan',     'traffic', '延安东路隧道车速',     'km/h',  '310101017', 'low',  20,   10,   2,    'transport', 300,  35,   10,   NULL),
		('hp.noise.huaihai',    'environment','淮海中路噪声',      'dB(A)', '310101022', 'high', 70,   80,   2,    'environment',900, 58,   6,    NULL),
		('hp.fire.calls',       'safety',  '黄浦火警接警量',       '件/小时','310101',   'high', 8,    15,   1,    'fire',      3600, 2,    1,    NULL),
		('hp.police.calls',     'safety',  '黄浦110接警量',        '件/小时','310101',   'high', 60,   90,   5,    'police',    3600, 25,   10,   NULL),
		('sh.hotline.total',    'hotline', '全市12345来电量',      '件/小时','310000',   'high', 3000, 4500, 100,  'hotline',   600,  1500, 700,  NULL),
		('sh.power.total',      'energy',  '全市用电负荷',         'MW',    '310000',    'high', 33000,36000,300,  'power',     600,  24000,5000, NULL),
		('sh.metro.ridership',  'crowd',   '全市轨交客流',         '人/小时','310000',   'high', 1500000,1800000,50000,'metro', 600,  600000,400000,NULL);
	UPDATE seed_indicator SET stale = true WHERE id = 'hp.gas.pressure';
	UPDATE seed_indicator SET target = 27 WHERE id = 'pd.rain';        -- a shower over 浦东

	INSERT INTO cityops.indicator (id, category_code, name, uom, region_code, side, warn,
		alarm, hysteresis, department_code, stale_s)
	SELECT id, category, name, uom, region, side, warn, alarm, hyst, dept, stale_s
	FROM seed_indicator;

	-- 24 h of readings every 10 minutes, in one statement so the reading
	-- trigger judges each indicator once, on its newest value.
	PERFORM setseed(0.2026);
	INSERT INTO cityops.reading (indicator_id, at, value)
	SELECT s.id, t.at, round(greatest(0,
		CASE WHEN t.age_h = 0 AND s.target IS NOT NULL THEN s.target
		ELSE s.base + s.amp * sin(2 * pi() * (extract(hour FROM t.at AT TIME ZONE 'Asia/Shanghai') - 9) / 24)
			+ s.amp * 0.15 * (random() - 0.5)
			+ coalesce(s.target - s.base, 0) * greatest(0, 1 - t.age_h / 3.0)
		END)::numeric, 2)
	FROM seed_indicator s
	CROSS JOIN LATERAL (
		SELECT date_trunc('minute', cityops.now()) - make_interval(mins => 10 * n) AS at,
			(10 * n) / 60.0 AS age_h
		FROM generate_series(0, 143) n) t
	WHERE NOT (s.stale AND t.age_h < 2);
END
$$;

-- The incidents: each is played through the API, oldest first. Minutes
-- are "minutes ago". The states they end in cover the whole loop.
CREATE OR REPLACE FUNCTION pg_temp.seed_incidents() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
	r text;
BEGIN
	-- Closed: yesterday's 12345 noise complaint, the whole loop.
	r := pg_temp.raise('officer_hp', 1300, 'noise', 3, '淮海中路街道', '12345噪声投诉：夜间施工扰民',
		'淮海中路复兴中路口', '市民来电反映工地夜间22点后仍在施工，噪声较大，影响休息。', '12345');
	PERFORM pg_temp.act('officer_hp', 1290, r, 'ack');
	PERFORM pg_temp.act('super_city', 1280, r, 'dispatch', '派城管中队核查', ARRAY['HP-C02']);
	PERFORM pg_temp.act('officer_hp', 1275, r, 'accept');
	PERFORM pg_temp.act('officer_hp', 1250, r, 'arrive');
	PERFORM pg_temp.act('officer_hp', 1200, r, 'resolve', '已责令停工，约谈施工单位');
	PERFORM pg_temp.act('super_city', 1100, r, 'verify', '回访市民，噪声已消除');
	PERFORM pg_temp.act('super_city', 1090, r, 'close');

	-- Closed: a traffic accident in 奉贤.
	r := pg_temp.raise('officer_fx', 1000, 'traffic', 2, '奉浦街道', '两车追尾，占用一条车道',
		'金海公路近环城东路', '110转来：两辆小客车追尾，无人员受伤，占用北向一条车道。', '110');
	PERFORM pg_temp.act('officer_fx', 998, r, 'ack');
	PERFORM pg_temp.act('super_fx', 995, r, 'dispatch', NULL, ARRAY['FX-P01']);
	PERFORM pg_temp.act('officer_fx', 994, r, 'accept');
	PERFORM pg_temp.act('officer_fx', 985, r, 'arrive');
	PERFORM pg_temp.act('officer_fx', 950, r, 'resolve', '车辆已拖离，道路恢复通行');
	PERFORM pg_temp.act('super_fx', 900, r, 'verify');
	PERFORM pg_temp.act('super_fx', 890, r, 'close');

	-- Unfounded: opinion monitoring rumour.
	r := pg_temp.raise('officer_city', 800, 'public_order', 3, '外滩街道', '网传外滩发生踩踏',
		'中山东一路', '舆情监测：短视频平台流传“外滩踩踏”视频。', 'opinion');
	PERFORM pg_temp.act('officer_hp', 795, r, 'ack');
	PERFORM pg_temp.act('officer_hp', 780, r, 'unfounded', '经核实为2014年旧视频，现场秩序正常');

	-- Cancelled: duplicate report handled by the district.
	r := pg_temp.raise('officer_fx', 700, 'water', 3, '西渡街道', '自来水水压低',
		'西渡街道 浦卫公路沿线小区', '12345来电：小区高层水压不足。', '12345');
	PERFORM pg_temp.act('officer_fx', 690, r, 'ack');
	PERFORM pg_temp.act('super_fx', 600, r, 'cancel', '供水公司计划检修，已发布停水公告');

	-- Verified, awaiting close.
	r := pg_temp.raise('officer_hp', 400, 'city_mgmt', 4, '豫园街道', '共享单车乱停放堵塞人行道',
		'方浜中路豫园商城东门', '随申拍上报：大量共享单车堆积在人行道上。', 'patrol');
	PERFORM pg_temp.act('officer_hp', 380, r, 'ack');
	PERFORM pg_temp.act('super_city', 360, r, 'dispatch', NULL, ARRAY['HP-C01']);
	PERFORM pg_temp.act('officer_hp', 350, r, 'accept');
	PERFORM pg_temp.act('officer_hp', 330, r, 'arrive');
	PERFORM pg_temp.act('officer_hp', 300, r, 'resolve', '已清理单车120辆，通知运营企业加强调度');
	PERFORM pg_temp.act('super_city', 240, r, 'verify');

	-- Resolved, awaiting verification.
	r := pg_temp.raise('officer_fx', 300, 'road', 3, '青村镇', '道路窨井盖缺失',
		'青村镇 南奉公路近光明路', '巡查发现窨井盖缺失，存在安全隐患。', 'patrol');
	PERFORM pg_temp.act('officer_fx', 295, r, 'ack');
	PERFORM pg_temp.act('super_fx', 290, r, 'dispatch', '先设置围挡', ARRAY['FX-R01']);
	PERFORM pg_temp.act('officer_fx', 285, r, 'accept');
	PERFORM pg_temp.act('officer_fx', 260, r, 'arrive');
	PERFORM pg_temp.act('officer_fx', 200, r, 'resolve', '已补装井盖');

	-- Reopened: the pavement was not fixed properly.
	r := pg_temp.raise('officer_hp', 600, 'road', 3, '老西门街道', '人行道地砖松动',
		'复兴东路中华路口', '12345来电：人行道地砖松动，老人险些摔倒。', '12345');
	PERFORM pg_temp.act('officer_hp', 590, r, 'ack');
	PERFORM pg_temp.act('super_city', 580, r, 'dispatch', NULL, ARRAY['HP-R01']);
	PERFORM pg_temp.act('officer_hp', 575, r, 'arrive');
	PERFORM pg_temp.act('officer_hp', 500, r, 'resolve', '已重新铺设');
	PERFORM pg_temp.act('super_city', 90, r, 'reopen', '市民回访不满意：仍有两块地砖松动');

	-- Returned (退单): wrong department.
	r := pg_temp.raise('officer_city', 120, 'pollution', 3, '庄行镇', '河道水面漂浮油污',
		'庄行镇 南横泾港', '巡河发现河面油污带约50米。', 'patrol');
	PERFORM pg_temp.act('officer_fx', 115, r, 'ack');
	PERFORM pg_temp.act('super_fx', 110, r, 'dispatch', NULL, ARRAY['FX-C02']);
	PERFORM pg_temp.act('officer_fx', 100, r, 'return', '属生态环境部门职责，城管无法处置，请改派');

	-- On scene: 南桥镇积水 in heavy rain, two pump trucks (联勤联动).
	r := pg_temp.raise('officer_fx', 95, 'flood', 1, '南桥镇', '南桥镇积水',
		'南桥镇 解放东路近南桥路下立交', '感知设备报警：积水深度超过25厘米，车辆涉水熄火。', 'sensor',
		'flood:310120101:jiefang');
	PERFORM pg_temp.act('officer_fx', 94, r, 'ack');
	PERFORM pg_temp.act('super_fx', 91, r, 'dispatch', '立即调派泵车', ARRAY['FX-D01']);
	PERFORM pg_temp.act('officer_fx', 90, r, 'accept');
	PERFORM pg_temp.act('super_fx', 80, r, 'dispatch', '增派泵车和交警', ARRAY['FX-D02', 'FX-P02']);
	PERFORM pg_temp.act('officer_fx', 70, r, 'arrive');
	PERFORM pg_temp.act('officer_fx', 60, r, 'escalate', '积水持续上涨');
	-- A 12345 call about the same ponding merges into it.
	PERFORM pg_temp.raise('officer_fx', 50, 'flood', 2, '南桥镇', '解放东路积水严重',
		'解放东路', '市民来电：下立交积水，公交绕行。', '12345', 'flood:310120101:jiefang');

	-- Accepted: crowd at the Bund.
	r := pg_temp.raise('officer_hp', 40, 'crowd', 1, '外滩街道', '外滩人流密集',
		'中山东一路外滩观景平台', '人流监测超过预警值，陈毅广场至金陵东路段拥挤。', 'sensor',
		'crowd:bund');
	PERFORM pg_temp.act('officer_hp', 39, r, 'ack');
	PERFORM pg_temp.act('super_city', 37, r, 'dispatch', '启动外滩单向通行', ARRAY['HP-P02', 'HP-M01']);
	PERFORM pg_temp.act('officer_hp', 35, r, 'accept');

	-- Dispatched, not yet accepted: gas smell.
	r := pg_temp.raise('officer_hp', 25, 'gas', 1, '打浦桥街道', '燃气异味',
		'徐家汇路日月光中心附近', '119转来：居民闻到明显燃气味。', '119');
	PERFORM pg_temp.act('officer_hp', 24, r, 'ack');
	PERFORM pg_temp.act('super_city', 22, r, 'dispatch', NULL, ARRAY['HP-G01', 'HP-F01']);

	-- Dispatched: ambulance in 奉贤.
	r := pg_temp.raise('officer_fx', 12, 'medical', 1, '金海街道', '老人跌倒昏迷',
		'金海街道 金海路1888弄', '120转来：老人家中跌倒，意识不清。', '120');
	PERFORM pg_temp.act('super_fx', 11, r, 'dispatch', NULL, ARRAY['FX-A01']);

	-- Acknowledged, waiting for dispatch (SLA close to breach).
	r := pg_temp.raise('officer_fx', 30, 'flood', 2, '奉城镇', '奉城镇积水',
		'奉城镇 南奉公路近洪庙路', '积水深度约16厘米，非机动车通行困难。', 'sensor');
	PERFORM pg_temp.act('officer_fx', 28, r, 'ack');

	-- Acknowledged: typhoon-felled tree.
	r := pg_temp.raise('officer_city', 20, 'typhoon', 2, '海湾镇', '行道树倒伏压住机动车道',
		'海湾镇 海兴路', '巡查发现行道树倒伏，占用两条车道。', 'patrol');
	PERFORM pg_temp.act('officer_fx', 18, r, 'ack');

	-- New ones, one already past its acknowledgement deadline.
	PERFORM pg_temp.raise('officer_city', 45, 'noise', 4, '南京东路街道', '广场舞音响扰民',
		'南京东路 贵州路口', '12345来电：晚间广场舞音响声音过大。', '12345');
	PERFORM pg_temp.raise('officer_fx', 6, 'power', 2, '金汇镇', '小区停电',
		'金汇镇 金汇村', '12345来电：村内大面积停电，已超过半小时。', '12345');
	PERFORM pg_temp.raise('officer_hp', 4, 'fire', 1, '小东门街道', '沿街商铺冒烟',
		'中华路东门路口', '119转来：沿街小吃店后厨冒出浓烟。', '119');
	PERFORM pg_temp.raise('officer_city', 3, 'metro', 2, '南京东路街道', '地铁站客流拥挤',
		'地铁2号线南京东路站', '站内客流超过限流阈值，请求协助疏导。', 'officer');
	PERFORM pg_temp.raise('officer_fx', 2, 'building', 3, '柘林镇', '老旧民房外墙脱落',
		'柘林镇 柘林老街', '随申拍：外墙瓷砖脱落，砸中停放的电动车。', 'patrol');
	PERFORM pg_temp.raise('officer_hp', 1, 'public_order', 3, '豫园街道', '游客与商户纠纷',
		'豫园商城九曲桥', '110转来：游客与商户发生口角。', '110');

	-- Exercises (演练): a typhoon drill, kept out of the real queue.
	r := pg_temp.raise('super_fx', 70, 'flood', 1, '海湾镇', '【演练】海塘漫溢',
		'海湾镇 奉贤海塘', '防汛防台演练：模拟高潮位叠加台风，海塘局部漫溢。', 'sensor', NULL, true);
	PERFORM pg_temp.act('super_fx', 68, r, 'dispatch', '演练调派', ARRAY['FX-R02']);
	PERFORM pg_temp.act('officer_fx', 66, r, 'accept');
	PERFORM pg_temp.raise('super_fx', 65, 'typhoon', 2, '四团镇', '【演练】广告牌松动',
		'四团镇 大叶公路', '防汛防台演练：模拟大风致广告牌松动。', 'patrol', NULL, true);
	PERFORM pg_temp.raise('super_city', 15, 'crowd', 2, '豫园街道', '【演练】灯会人流管控',
		'豫园灯会 九曲桥', '大客流演练：模拟灯会人流超限。', 'officer', NULL, true);

	-- Units out of service and one on its way back.
	PERFORM pg_temp.as_op('officer_fx', interval '3 hours',
		$q$SELECT to_status FROM cityops.unit_set_status('FX-D03', 'out_of_service', '泵车保养')$q$);
	PERFORM pg_temp.as_op('officer_hp', interval '2 hours',
		$q$SELECT to_status FROM cityops.unit_set_status('HP-E01', 'out_of_service', '车辆年检')$q$);
	PERFORM pg_temp.as_op('officer_fx', interval '190 minutes',
		$q$SELECT to_status FROM cityops.unit_set_status('FX-R01', 'returning', '返回驻地')$q$);
END
$$;

CREATE OR REPLACE FUNCTION pg_temp.seed_demo() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM cityops.region WHERE code = '310120101') THEN
		RAISE NOTICE 'demo data already seeded; nothing to do';
		RETURN;
	END IF;
	INSERT INTO cityops.clock_grant (xid) VALUES (pg_current_xact_id());
	PERFORM pg_temp.seed_regions();
	PERFORM pg_temp.seed_operators();
	PERFORM pg_temp.seed_units();
	PERFORM pg_temp.seed_indicators();
	PERFORM pg_temp.seed_incidents();
	DELETE FROM cityops.clock_grant WHERE xid = pg_current_xact_id();
END
$$;

SELECT pg_temp.seed_demo();
