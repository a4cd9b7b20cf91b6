-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- find (issue 14): a search as an officer types it before raising a new
-- incident, a random one of 24 Chinese substrings of what the generator
-- writes (bench/db/generate.sql: title, location, description) — from
-- common (路, 压测: most incidents) through a road (南京路: ~1/128) to rare
-- (a road and a house number: a few), two of one character.
\set k random(1, 24)
SELECT * FROM cityops.search((ARRAY['南京路', '淮海', '延安路', '中山', '地铁站', '菜市场',
	'学校旁', '小区门口', '路', '火', '火灾', '压测', '交通', '燃气', '浦东', '闵行莘庄',
	'南京路17', '世纪大道1', '番禺路100', '天山街', '龙阳公路', '漕溪路8号', '黄兴路12',
	'同济'])[:k], false, 50);
