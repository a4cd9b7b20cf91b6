-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 12: refs without a row lock held to commit. next_ref (40_writes.sql)
-- took the day's ref_counter row with UPDATE, so every raise of a Shanghai
-- day waited for the one before it to commit (raise p99 495 ms with 20
-- dispatchers, docs/performance.md). A ref's number is now drawn from one
-- sequence (nextval never waits) and made per day by the day's base: the
-- number is nextval - base, and the day's first raise records base =
-- its own nextval - 1 (INSERT ... ON CONFLICT DO NOTHING: no lock on a day
-- that has its row). Numbers stay unique per day and start at 1 on a new
-- day; a raise that rolls back leaves a gap (as a lost dedup race already
-- did).
CREATE SEQUENCE cityops.ref_seq AS bigint;

ALTER TABLE cityops.ref_counter ADD COLUMN base bigint;
-- Days numbered before this migration continue after their last ref:
-- the sequence starts at 1, so their next number is last + 1 or more.
UPDATE cityops.ref_counter SET base = -last;
ALTER TABLE cityops.ref_counter ALTER COLUMN base SET NOT NULL,
	DROP COLUMN last;
