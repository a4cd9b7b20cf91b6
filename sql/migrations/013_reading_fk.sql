-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 013_reading_fk: the foreign key from reading to indicator was checked
-- once per reading (a row trigger), which cost more of an ingest batch
-- than judging the thresholds did (180 of 470 ms for 10,000 readings,
-- docs/performance-feeds.md). Every way a reading gets in already joins
-- the catalogue (ingest_readings keeps only known indicators in scope; the
-- demo seed and the benchmark load from it), so the per-row check guards
-- nothing a caller can reach. What the key also did — keep an indicator
-- that has readings from being deleted or renamed — moves to the
-- indicator side, where it costs nothing on the hot path.

ALTER TABLE cityops.reading DROP CONSTRAINT reading_indicator_id_fkey;

-- indicator_keep() and its trigger are defined once, in
-- sql/functions/20_records.sql, since issue 13 (one definition of every
-- function; docs/sql-api.md). The file stays so that a database that
-- recorded it still finds the same list.
