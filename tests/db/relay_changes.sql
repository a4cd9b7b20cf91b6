-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The relay's read of the change log (sql/functions/76_relay.sql): only a
-- city-scope login may call it, and never inside a transaction that
-- already has an id — its own id must be taken after it read the
-- sequence, or the relay could release a record before an older writer
-- commits. (That it serves every record once and in order, across kill
-- -9, is tests/scale/relay.sh; this file runs in one transaction, which
-- has an id once anything is written, so only refusals are tested here.)
BEGIN;
SELECT plan(3);

SET SESSION AUTHORIZATION officer_fx;
SELECT throws_ok($$SELECT * FROM cityops.relay_changes(0, 10)$$,
	'CO002', NULL, 'a district login cannot read the change log through it');
RESET SESSION AUTHORIZATION;

-- plan() wrote its temp table: this transaction has an id.
SELECT isnt(pg_current_xact_id_if_assigned(), NULL, 'the test transaction has an id');
SET SESSION AUTHORIZATION cityops_relay;
SELECT throws_ok($$SELECT * FROM cityops.relay_changes(0, 10)$$,
	'CO006', 'relay_changes needs a transaction of its own',
	'the relay''s login is refused in a transaction that already has an id');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
