-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 013: an indicator with readings can be neither deleted nor
-- renamed (what the per-reading foreign key used to guard).
SELECT plan(3);

SELECT throws_ok($$DELETE FROM cityops.indicator WHERE id = 'fx.rain'$$, 'CO006',
	'indicator fx.rain has readings; it cannot be deleted', 'deleting is refused');
SELECT throws_ok($$UPDATE cityops.indicator SET id = 'fx.rain2' WHERE id = 'fx.rain'$$,
	'CO006', 'indicator fx.rain has readings; it cannot be renamed', 'renaming is refused');
INSERT INTO cityops.indicator (id, category_code, name, uom, region_code, side, warn, alarm,
	stale_s) VALUES ('fx.test.unused', 'weather', '测试', 'mm', '310120', 'high', 1, 2, 60);
SELECT lives_ok($$DELETE FROM cityops.indicator WHERE id = 'fx.test.unused'$$,
	'an indicator without readings can go');

SELECT * FROM finish();
