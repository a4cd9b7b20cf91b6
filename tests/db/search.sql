-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Migration 056, sql/functions/77_search.sql: find. By reference, title,
-- location, description and note; Chinese substrings of 1, 2 and 3+
-- characters; open and closed; newest first; scope (row-level security)
-- for a district officer; exercise apart; hostile text refused or taken
-- literally.
SELECT plan(27);

CREATE TEMP TABLE t (name text PRIMARY KEY, ref text);
GRANT ALL ON t TO PUBLIC;
SET SESSION AUTHORIZATION officer_hp;
INSERT INTO t SELECT 'a', ref FROM cityops.incident_raise('city_mgmt', 3, '310101',
	'鑫垚路井盖缺失', '淼森里弄堂口北侧', '行人反映井盖被盗 QX7 rate 9%');
INSERT INTO t SELECT 'b', ref FROM cityops.incident_raise('city_mgmt', 3, '310101',
	'鑫垚路路灯不亮', '', '');
INSERT INTO t SELECT 'x', ref FROM cityops.incident_raise('city_mgmt', 3, '310101',
	'鑫垚路演练', '', '', p_exercise => true);
SELECT cityops.incident_act((SELECT ref FROM t WHERE name = 'b'), 'note', '焱燚物业已到场');
RESET SESSION AUTHORIZATION;
-- b is the newer: one second after a.
UPDATE cityops.incident_search SET created_at = created_at + interval '1 second'
	WHERE incident_id = (SELECT id FROM cityops.incident WHERE ref = (SELECT ref FROM t WHERE name = 'b'));

CREATE FUNCTION pg_temp.found(p_login text, p_text text, p_exercise bool DEFAULT false)
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE v text[];
BEGIN
	EXECUTE format('SET SESSION AUTHORIZATION %I', p_login);
	SELECT ARRAY(SELECT coalesce(t.name, '?')
		FROM cityops.search(p_text, p_exercise) WITH ORDINALITY s
		LEFT JOIN t ON t.ref = s.ref ORDER BY s.ordinality) INTO v;
	RESET SESSION AUTHORIZATION;
	RETURN v;
END $$;
CREATE FUNCTION pg_temp.matched(p_text text) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(matched, ',') FROM cityops.search(p_text) $$;

SELECT is(pg_temp.found('officer_hp', '井盖缺'), '{a}', 'title, 3 characters');
SELECT is(pg_temp.found('officer_hp', '缺失'), '{a}', 'title, 2 characters');
SELECT is(pg_temp.found('officer_hp', '淼'), '{a}', 'location, 1 character');
SELECT is(pg_temp.found('officer_hp', '弄堂口北'), '{a}', 'location, 4 characters');
SELECT is(pg_temp.found('officer_hp', '被盗'), '{a}', 'description');
SELECT is(pg_temp.found('officer_hp', '焱燚物业'), '{b}', 'a note');
SELECT is(pg_temp.found('officer_hp', (SELECT ref FROM t WHERE name = 'a')), '{a}',
	'the whole reference');
SELECT is(pg_temp.found('officer_hp', '鑫垚路'), '{b,a}', 'open ones, newest first');
SELECT is(pg_temp.found('officer_hp', '鑫'), '{b,a}', 'one character, newest first');
SELECT is(pg_temp.found('officer_hp', 'qx7'), '{a}', 'Latin letters, either case');
SELECT is(pg_temp.found('officer_hp', '  QX7 '), '{a}', 'surrounding blanks are trimmed');
SELECT is(pg_temp.found('officer_hp', '垚路井'), '{a}', 'across a word, 3 characters');
-- Every pair of 反映井盖缺失 is in a (反映井盖被盗, 井盖缺失), the whole is not:
-- the recheck decides. 盖 and 路 are in a, never as 盖路.
SELECT is(pg_temp.found('officer_hp', '反映井盖缺失'), '{}', 'pairs present apart are not a match');
SELECT is(pg_temp.found('officer_hp', '盖路'), '{}', 'characters present but not together: none');

SET SESSION AUTHORIZATION officer_hp;
SELECT is(pg_temp.matched('鑫垚路'), 'title,title', 'the field that matched: title');
SELECT is(pg_temp.matched('焱燚'), 'note', 'the field that matched: note');
RESET SESSION AUTHORIZATION;

-- Closed: a supervisor cancels a.
SET SESSION AUTHORIZATION super_city;
SELECT cityops.incident_act((SELECT ref FROM t WHERE name = 'a'), 'cancel', '重复报告');
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.found('officer_hp', '井盖缺'), '{a}', 'a closed incident is found too');

-- Scope: 奉贤's officer does not see 黄浦's; the city's does.
SELECT is(pg_temp.found('officer_fx', '鑫垚路'), '{}', 'a district officer finds nothing outside the district');
SELECT is(pg_temp.found('officer_city', '鑫垚路'), '{b,a}', 'the city officer finds them');
SET SESSION AUTHORIZATION officer_fx;
SELECT is((SELECT count(*) FROM cityops.incident_search
	WHERE incident_id IN (SELECT i.id FROM cityops.incident i JOIN t ON t.ref = i.ref)), 0::bigint,
	'the search table itself is under row-level security');
RESET SESSION AUTHORIZATION;

SELECT is(pg_temp.found('officer_hp', '鑫垚路', true), '{x}', 'exercise incidents only when asked');

-- Hostile text: LIKE's characters are plain characters; the rest refused.
SELECT is(pg_temp.found('officer_hp', 'qx7%'), '{}', '% is a plain character (no LIKE)');
SELECT is(pg_temp.found('officer_hp', '9%'), '{a}', '% matches itself');
SET SESSION AUTHORIZATION officer_hp;
SELECT throws_ok($$SELECT * FROM cityops.search('   ')$$, 'CO006', 'search text is empty',
	'empty text refused');
SELECT throws_ok($$SELECT * FROM cityops.search(E'\u001b[31m鑫')$$, 'CO006',
	'search text holds control characters', 'an escape sequence is refused, not echoed');
SELECT throws_ok($$SELECT * FROM cityops.search(repeat('鑫', 65))$$, 'CO006',
	'search text is too long: 65 characters, at most 64', 'more than 64 characters refused');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION viewer_wall;
SELECT lives_ok($$SELECT * FROM cityops.search('鑫')$$, 'a viewer may search');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
