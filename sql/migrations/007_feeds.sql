-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 007_feeds: what the feed side writes — readings in batches, incidents
-- raised by sensors, CAP alerts and Open311 requests — the editable mapping
-- from NGSI-LD entity attributes to indicators, and acknowledging alarms.
--
-- The ingest daemon logs in as cityops_ingest, an officer-rank operator
-- with city scope created here: feeds cover the whole city, and officer is
-- the lowest rank that may raise incidents.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_ingest') THEN
		CREATE ROLE cityops_ingest LOGIN;
	END IF;
	GRANT cityops_user TO cityops_ingest;
END
$$;
INSERT INTO cityops.operator (login, display_name, role, scope_code)
	VALUES ('cityops_ingest', '数据接入', 'officer', '310000')
	ON CONFLICT (login) DO NOTHING;

-- ------------------------------------------------------------------------
-- Which NGSI-LD entity attribute feeds which indicator. entity_id '*'
-- matches every entity of the type (for one-entity-per-indicator feeds the
-- id is given).
CREATE TABLE cityops.entity_map (
	entity_type  text NOT NULL,
	entity_id    text NOT NULL DEFAULT '*',
	attribute    text NOT NULL,
	indicator_id text NOT NULL REFERENCES cityops.indicator,
	PRIMARY KEY (entity_type, entity_id, attribute)
);
REVOKE ALL ON cityops.entity_map FROM PUBLIC;
GRANT SELECT ON cityops.entity_map TO cityops_user;

-- Its functions are defined once, in sql/functions/50_feeds.sql, since
-- issue 13 (one definition of every function; docs/sql-api.md). The file
-- stays so that a database that recorded it still finds the same list.
