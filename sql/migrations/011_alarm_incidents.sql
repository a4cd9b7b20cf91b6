-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 011_alarm_incidents: an alarm-level alarm raises one incident.
--
-- The ingest daemon asks for this after every batch of readings. Which
-- incident category an indicator's alarm becomes is data on the indicator
-- category; the alarm row records the incident raised for it, so that one
-- alarm episode raises one incident even after people close it while the
-- reading is still high (a new episode is a new alarm row, after a clear).
-- Exercise indicators belong to drills and never raise real incidents.

ALTER TABLE cityops.indicator_category ADD COLUMN incident_category text
	REFERENCES cityops.category;
UPDATE cityops.indicator_category SET incident_category = c.cat
	FROM (VALUES ('weather', 'typhoon'), ('traffic', 'traffic'),
		('environment', 'pollution'), ('water', 'flood'), ('energy', 'power'),
		('crowd', 'crowd'), ('safety', 'public_order'), ('hotline', 'city_mgmt'))
		AS c(code, cat)
	WHERE indicator_category.code = c.code;

ALTER TABLE cityops.alarm ADD COLUMN incident_ref text;

-- raise_alarm_incidents() is defined once, in sql/functions/50_feeds.sql,
-- since issue 13 (one definition of every function; docs/sql-api.md). The
-- file stays so that a database that recorded it still finds the same list.
