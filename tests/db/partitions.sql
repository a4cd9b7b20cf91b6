-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 12: readings partitioned by day (migration 045, 47_partitions.sql),
-- the COPY inbox taken out by ingest_inbox() with the thresholds judged
-- once per batch, and conflicting values noted across batches.
SELECT plan(29);

-- ---- the table and its partitions ----------------------------------------
SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'cityops.reading'::regclass), 'p',
	'reading is a partitioned table');
CREATE TEMP TABLE before_rows AS SELECT count(*) AS n FROM cityops.reading;
SELECT ok((SELECT count(*) FROM cityops.reading_partitions_run(now()) WHERE action = 'made') >= 4,
	'the maintenance makes today''s partition and the days ahead');
SELECT ok(to_regclass('cityops.reading_p' || to_char((now() AT TIME ZONE 'UTC')::date + 3, 'YYYYMMDD'))
	IS NOT NULL, 'three days ahead exist');
SELECT is((SELECT count(*) FROM cityops.reading), (SELECT n FROM before_rows),
	'no reading is lost moving the seed history out of the default partition');
SELECT is((SELECT count(*) FROM cityops.reading_default
	WHERE at >= now() - interval '24 hours'), 0::bigint,
	'the last day''s readings now sit in their day''s partitions');
SELECT is((SELECT count(*) FROM cityops.reading_partitions_run(now())), 0::bigint,
	'a second run has nothing to do');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'cityops.reading'::regclass
			AND (has_table_privilege('cityops_user', c.oid, 'SELECT')
				OR has_table_privilege('cityops_ingest', c.oid, 'SELECT')
				OR NOT c.relrowsecurity)),
	'{}'::text[], 'no partition is readable around the parent''s row-level security');

-- ---- who may run it -------------------------------------------------------
SET SESSION AUTHORIZATION officer_hp;
SELECT throws_ok($$SELECT * FROM cityops.reading_partitions_run(now() + interval '10 years')$$,
	'42501', NULL, 'an operator cannot run the maintenance at a time of their choosing');
SELECT lives_ok($$SELECT * FROM cityops.reading_partitions()$$,
	'an officer (ingest) runs it at the server''s time');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION viewer_wall;
SELECT throws_ok($$SELECT * FROM cityops.reading_partitions()$$, 'CO002', NULL,
	'a viewer cannot');
SELECT throws_ok($$SELECT * FROM cityops.reading_p20991231$$, '42P01', NULL,
	'(sanity: a missing partition is missing)');
RESET SESSION AUTHORIZATION;

-- ---- retention --------------------------------------------------------------
INSERT INTO cityops.indicator (id, category_code, name, uom, region_code, side, warn, alarm,
	hysteresis, stale_s)
	VALUES ('t.level', 'weather', '测试水位', 'm', '310101', 'high', 10, 20, 1, 3600);
INSERT INTO cityops.reading VALUES ('t.level', now() - interval '500 days', 1),
	('t.level', now() - interval '3 days', 2), ('t.level', now() + interval '1 year', 3);
SELECT is((SELECT count(*) FROM cityops.reading_default WHERE indicator_id = 't.level'), 3::bigint,
	'days with no partition go to the default partition');
SELECT is((SELECT count(*) FROM cityops.reading_partitions_run(now()) WHERE action <> 'made'), 0::bigint,
	'with no retention set (the default) nothing is dropped');
UPDATE cityops.partition_retention SET retain_days = 400;
CREATE TEMP TABLE did AS SELECT * FROM cityops.reading_partitions_run(now());
SELECT is((SELECT sum(rows) FROM did WHERE action IN ('expired', 'dropped')), 1::numeric,
	'once a retention is set, the reading older than it is dropped');
SELECT is((SELECT count(*) FROM cityops.reading_default WHERE indicator_id = 't.level'
		AND at < now()), 0::bigint,
	'a past day within retention with rows waiting got its partition, rows moved');
SELECT results_eq($$SELECT value FROM cityops.reading WHERE indicator_id = 't.level' ORDER BY at$$,
	$$VALUES (2::numeric), (3::numeric)$$, 'what is kept is still read through the parent');
UPDATE cityops.partition_retention SET retain_days = 2;
CREATE TEMP TABLE later AS SELECT * FROM cityops.reading_partitions_run(now() + interval '3 days');
SELECT ok((SELECT count(*) FROM later WHERE action = 'dropped') >= 3,
	'partitions wholly older than the retention are dropped');
SELECT ok(to_regclass('cityops.reading_p' || to_char((now() AT TIME ZONE 'UTC')::date + 1, 'YYYYMMDD'))
	IS NOT NULL AND to_regclass('cityops.reading_p' || to_char((now() AT TIME ZONE 'UTC')::date, 'YYYYMMDD'))
	IS NULL, 'the day that is still within it stays; today, three days on, is gone');

-- ---- COPY inbox: one batch, thresholds once, conflicts noted ----------------
DELETE FROM cityops.reading WHERE indicator_id = 't.level';
UPDATE cityops.indicator SET last_value = NULL, last_at = NULL, last_state = NULL
	WHERE id = 't.level';
BEGIN;
SET LOCAL SESSION AUTHORIZATION cityops_ingest;
INSERT INTO cityops.reading_inbox (indicator_id, value, at) VALUES
	('t.level', 25, now() - interval '3 min'), ('t.level', 5, now() - interval '2 min'),
	('t.level', 22, now() - interval '1 min'), ('t.level', 22, now() - interval '1 min'),
	('t.level', 7, now() - interval '4 min'), ('t.level', 8, now() - interval '4 min'),
	('no.such', 1, now()),
	('t.level', 'NaN', now()), ('t.level', 1, now() - interval '3 days');
CREATE TEMP TABLE b1 AS SELECT * FROM cityops.ingest_inbox();
COMMIT;
SELECT results_eq($$SELECT accepted, duplicate, unknown, conflicting FROM b1$$,
	$$VALUES (4, 2, 3, 1)$$,
	'a batch: 4 stored, 2 repeats, 3 unknown, bad or past the retention, 1 conflicting value');
SELECT results_eq($$SELECT level, state, value FROM cityops.alarm WHERE indicator_id = 't.level'$$,
	$$VALUES ('alarm'::text, 'raised'::text, 22::numeric)$$,
	'the newest reading of the batch decides: one alarm raised at 22');
SELECT is((SELECT count(*) FROM cityops.reading_inbox), 0::bigint,
	'the inbox is empty once the batch committed');
SELECT results_eq($$SELECT least(value, kept), greatest(value, kept), seen
		FROM cityops.reading_conflict WHERE indicator_id = 't.level'$$,
	$$VALUES (7::numeric, 8::numeric, 1::bigint)$$,
	'two values for one time in a batch: one kept, the other noted beside it');

-- A later run sends other values for the same indicator and time.
BEGIN;
SET LOCAL SESSION AUTHORIZATION cityops_ingest;
INSERT INTO cityops.reading_inbox (indicator_id, value, at)
	SELECT 't.level', v, at FROM cityops.reading, (VALUES (21), (9)) x(v)
	WHERE indicator_id = 't.level' AND value = 22;
INSERT INTO cityops.reading_inbox (indicator_id, value, at) VALUES ('t.level', 3, now());
CREATE TEMP TABLE b2 AS SELECT * FROM cityops.ingest_inbox();
COMMIT;
SELECT results_eq($$SELECT accepted, duplicate, unknown, conflicting FROM b2$$,
	$$VALUES (1, 2, 0, 2)$$, 'across runs: both values differing from the stored one conflict');
SELECT results_eq($$SELECT value, kept, seen FROM cityops.reading_conflict
		WHERE indicator_id = 't.level' AND kept = 22 ORDER BY value$$,
	$$VALUES (9::numeric, 22::numeric, 1::bigint), (21::numeric, 22::numeric, 1::bigint)$$,
	'each conflicting value is noted beside the value stored in the earlier run');
SELECT results_eq($$SELECT state, value FROM cityops.alarm WHERE indicator_id = 't.level'$$,
	$$VALUES ('cleared'::text, 3::numeric)$$, 'a normal reading in a later batch clears the alarm');

-- A hostile login's leftovers: rows committed without ingest_inbox().
SET SESSION AUTHORIZATION cityops_ingest;
INSERT INTO cityops.reading_inbox (indicator_id, value, at) VALUES ('t.level', 99, now());
SELECT throws_ok($$SELECT * FROM cityops.reading_inbox$$, '42501', NULL,
	'the ingest login cannot read the inbox');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION officer_hp;
SELECT throws_ok($$INSERT INTO cityops.reading_inbox (indicator_id, value, at) VALUES ('t.level', 1, now())$$,
	'42501', NULL, 'an operator cannot write the inbox');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT rows FROM cityops.reading_partitions_run(now()) WHERE action = 'purged'), 1::bigint,
	'the maintenance purges rows left in the inbox');
SELECT is((SELECT count(*) FROM cityops.reading WHERE indicator_id = 't.level' AND value = 99), 0::bigint,
	'and they never became readings');

SELECT * FROM finish();
