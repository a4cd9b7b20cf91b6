-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 002_reference: data every install needs — the city and its districts, the
-- incident loop, categories, SLA policy, unit kinds, indicator categories,
-- the initial mode and the installing superuser as the first admin.
--
-- Later regions (sql/seed/) name only their parent: the trigger
-- region_derive (sql/functions/20_records.sql) derives path and short
-- name. It is applied after the migrations, so the rows here spell both
-- out, exactly as it derives them. Regions do not move or get renamed once
-- created (incidents, units and indicators copy their path), so the
-- trigger runs on INSERT only.

-- GB/T 2260 codes; centroids are approximate (for distances, not maps).
INSERT INTO cityops.region (code, parent_code, name, short_name, abbr, level, path, lat, lon) VALUES
	('310000', NULL, '上海市', '上海', NULL, 'city', '310000', 31.230400, 121.473700);
INSERT INTO cityops.region (code, parent_code, name, short_name, abbr, level, path, lat, lon) VALUES
	('310101', '310000', '黄浦区',   '黄浦', 'HP', 'district', '310000.310101', 31.231700, 121.484600),
	('310104', '310000', '徐汇区',   '徐汇', 'XH', 'district', '310000.310104', 31.188500, 121.436500),
	('310105', '310000', '长宁区',   '长宁', 'CN', 'district', '310000.310105', 31.220400, 121.424300),
	('310106', '310000', '静安区',   '静安', 'JA', 'district', '310000.310106', 31.246600, 121.455400),
	('310107', '310000', '普陀区',   '普陀', 'PT', 'district', '310000.310107', 31.249500, 121.397200),
	('310109', '310000', '虹口区',   '虹口', 'HK', 'district', '310000.310109', 31.264600, 121.505400),
	('310110', '310000', '杨浦区',   '杨浦', 'YP', 'district', '310000.310110', 31.259500, 121.526000),
	('310112', '310000', '闵行区',   '闵行', 'MH', 'district', '310000.310112', 31.112800, 121.381700),
	('310113', '310000', '宝山区',   '宝山', 'BS', 'district', '310000.310113', 31.405000, 121.489800),
	('310114', '310000', '嘉定区',   '嘉定', 'JD', 'district', '310000.310114', 31.374700, 121.265000),
	('310115', '310000', '浦东新区', '浦东', 'PD', 'district', '310000.310115', 31.151000, 121.644000),
	('310116', '310000', '金山区',   '金山', 'JS', 'district', '310000.310116', 30.741700, 121.341600),
	('310117', '310000', '松江区',   '松江', 'SJ', 'district', '310000.310117', 31.032200, 121.227700),
	('310118', '310000', '青浦区',   '青浦', 'QP', 'district', '310000.310118', 31.151200, 121.124200),
	('310120', '310000', '奉贤区',   '奉贤', 'FX', 'district', '310000.310120', 30.918000, 121.474000),
	('310151', '310000', '崇明区',   '崇明', 'CM', 'district', '310000.310151', 31.622800, 121.397500);

-- The incident loop (docs/sql-api.md, "The incident loop").
INSERT INTO cityops.state (name, ord, is_open, sla_stage, label_zh) VALUES
	('new',          1, true,  'ack',      '待受理'),
	('acknowledged', 2, true,  'dispatch', '已受理'),
	('dispatched',   3, true,  'arrive',   '已派单'),
	('accepted',     4, true,  'arrive',   '已签收'),
	('returned',     5, true,  'dispatch', '已退单'),
	('on_scene',     6, true,  'close',    '处置中'),
	('resolved',     7, true,  'close',    '已办结'),
	('verified',     8, true,  'close',    '已核查'),
	('reopened',     9, true,  'dispatch', '重新办理'),
	('closed',      10, false, NULL,       '已结案'),
	('unfounded',   11, false, NULL,       '不实'),
	('cancelled',   12, false, NULL,       '已撤销');

INSERT INTO cityops.action (name, ord, min_role, reason_required, units_required, unit_effect, label_zh) VALUES
	('ack',        1, 'officer',    false, false, NULL,       '受理'),
	('dispatch',   2, 'supervisor', false, true,  'assign',   '派单'),
	('accept',     3, 'officer',    false, false, 'en_route', '签收'),
	('return',     4, 'officer',    true,  false, 'release',  '退单'),
	('arrive',     5, 'officer',    false, false, 'on_scene', '到场'),
	('resolve',    6, 'officer',    false, false, 'release',  '办结'),
	('verify',     7, 'supervisor', false, false, NULL,       '核查'),
	('close',      8, 'supervisor', false, false, NULL,       '结案'),
	('reopen',     9, 'supervisor', true,  false, NULL,       '重新办理'),
	('unfounded', 10, 'officer',    true,  false, NULL,       '不实'),
	('cancel',    11, 'supervisor', true,  false, 'release',  '撤销'),
	('escalate',  12, 'officer',    false, false, NULL,       '升级'),
	('note',      13, 'officer',    true,  false, NULL,       '备注');

INSERT INTO cityops.transition (action, from_state, to_state) VALUES
	('ack',       'new',          'acknowledged'),
	('dispatch',  'new',          'dispatched'),
	('dispatch',  'acknowledged', 'dispatched'),
	('dispatch',  'returned',     'dispatched'),
	('dispatch',  'reopened',     'dispatched'),
	('dispatch',  'dispatched',   NULL),          -- 联勤联动: add units
	('dispatch',  'accepted',     NULL),
	('dispatch',  'on_scene',     NULL),
	('accept',    'dispatched',   'accepted'),
	('return',    'dispatched',   'returned'),
	('arrive',    'dispatched',   'on_scene'),
	('arrive',    'accepted',     'on_scene'),
	('resolve',   'on_scene',     'resolved'),
	('verify',    'resolved',     'verified'),
	('close',     'verified',     'closed'),
	('reopen',    'resolved',     'reopened'),
	('reopen',    'verified',     'reopened'),
	('reopen',    'closed',       'reopened'),
	('unfounded', 'new',          'unfounded'),
	('unfounded', 'acknowledged', 'unfounded');
-- cancel and escalate from any open state, note from any state.
INSERT INTO cityops.transition (action, from_state, to_state)
	SELECT 'cancel', name, 'cancelled' FROM cityops.state WHERE is_open
	UNION ALL
	SELECT 'escalate', name, NULL FROM cityops.state WHERE is_open
	UNION ALL
	SELECT 'note', name, NULL FROM cityops.state;

INSERT INTO cityops.unit_kind (code, name, name_zh) VALUES
	('F', 'fire',       '消防'),
	('P', 'police',     '公安'),
	('A', 'ambulance',  '急救'),
	('C', 'chengguan',  '城管'),
	('W', 'water',      '供水'),
	('D', 'drainage',   '排水'),
	('G', 'gas',        '燃气'),
	('E', 'power',      '电力'),
	('R', 'road',       '道路'),
	('M', 'metro',      '地铁');

INSERT INTO cityops.category (code, name, unit_kinds) VALUES
	('fire',        '火灾',         '{F,A,P}'),
	('flood',       '积水内涝',     '{D,W,R,P}'),
	('typhoon',     '防台倒伏',     '{R,F,E}'),
	('traffic',     '交通事故',     '{P,A,R}'),
	('crowd',       '人员密集',     '{P,M}'),
	('gas',         '燃气泄漏',     '{G,F,P}'),
	('power',       '停电',         '{E}'),
	('water',       '供水故障',     '{W}'),
	('medical',     '急救',         '{A}'),
	('public_order','治安',         '{P}'),
	('noise',       '噪声扰民',     '{C,P}'),
	('city_mgmt',   '市容环境',     '{C}'),
	('road',        '道路设施',     '{R,C}'),
	('building',    '房屋安全',     '{F,C}'),
	('pollution',   '环境污染',     '{C,W}'),
	('metro',       '轨交运营',     '{M,P}');

-- SLA: the fallback row per priority, tighter rows for life-safety
-- categories, looser for hotline nuisances.
INSERT INTO cityops.sla_policy (category_code, priority, ack, dispatch, arrive, close) VALUES
	('*', 1, '2 minutes',  '5 minutes',  '20 minutes', '4 hours'),
	('*', 2, '5 minutes',  '15 minutes', '45 minutes', '12 hours'),
	('*', 3, '15 minutes', '1 hour',     '4 hours',    '3 days'),
	('*', 4, '1 hour',     '4 hours',    '1 day',      '7 days'),
	('fire',    1, '1 minute', '2 minutes', '12 minutes', '6 hours'),
	('fire',    2, '1 minute', '3 minutes', '15 minutes', '12 hours'),
	('medical', 1, '1 minute', '2 minutes', '12 minutes', '2 hours'),
	('medical', 2, '1 minute', '3 minutes', '15 minutes', '3 hours'),
	('gas',     1, '1 minute', '3 minutes', '15 minutes', '6 hours'),
	('flood',   1, '2 minutes', '5 minutes', '30 minutes', '6 hours'),
	('flood',   2, '5 minutes', '10 minutes', '45 minutes', '12 hours'),
	('noise',   3, '30 minutes', '2 hours', '1 day', '5 days'),
	('noise',   4, '2 hours', '8 hours', '2 days', '15 days');

INSERT INTO cityops.indicator_category (code, name, ord) VALUES
	('weather',     '气象',      1),
	('traffic',     '交通',      2),
	('environment', '环境',      3),
	('water',       '水务/防汛', 4),
	('energy',      '能源',      5),
	('crowd',       '人流',      6),
	('safety',      '公共安全',  7),
	('hotline',     '民生热线',  8);

INSERT INTO cityops.mode (mode, level, kind, reason, set_by)
	VALUES ('peace', NULL, NULL, '系统初始化', session_user);

-- Whoever installs the database administers it.
INSERT INTO cityops.operator (login, display_name, role, scope_code)
	VALUES (session_user, '系统管理员', 'admin', '310000');
