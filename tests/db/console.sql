-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migrations 010 and 012: the console's status-line counts, and the
-- catalogue fields vitals() gives the console for judging feed values.
SELECT plan(5);

SET SESSION AUTHORIZATION super_city;
SELECT is((SELECT sum(n)::int FROM cityops.open_counts()),
	(SELECT count(*)::int FROM cityops.queue(NULL, NULL, NULL, NULL, false, false, 100000)),
	'city: the counts add up to the open queue');
SELECT is((SELECT sum(breached)::int FROM cityops.open_counts()),
	(SELECT count(*)::int FROM cityops.queue(NULL, NULL, NULL, NULL, false, false, 100000)
		WHERE sla_left_s < 0), 'city: breached as the queue shows them');
SELECT is((SELECT sum(n)::int FROM cityops.open_counts(true)),
	(SELECT count(*)::int FROM cityops.queue(NULL, NULL, NULL, NULL, false, true, 100000)),
	'exercises are counted apart');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT sum(n)::int FROM cityops.open_counts()),
	(SELECT count(*)::int FROM cityops.queue(NULL, NULL, NULL, NULL, false, false, 100000)),
	'a district officer counts only the district');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION super_city;
SELECT results_eq($$SELECT stale_s, hysteresis FROM cityops.vitals(p_limit => 1000)
	WHERE indicator_id = 'fx.tide.jinhui'$$,
	$$SELECT stale_s, hysteresis FROM cityops.indicator WHERE id = 'fx.tide.jinhui'$$,
	'vitals carries the staleness limit and hysteresis');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
