-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Issue 9 (real sources): the health of each source a running
-- `cityops ingest` polls, listens to or subscribes to, one row per
-- (ingest, kind, url), written by ingest through
-- cityops.source_health_put (sql/functions/52_sources.sql) every few
-- seconds and read by `cityops ingest --status` and the console's status
-- line through cityops.source_health(). Why the database and not a status
-- file: docs/ingest.md, "Health".
CREATE TABLE cityops.source_health (
	ingest     text NOT NULL CHECK (ingest ~ '^[A-Za-z0-9_.:@-]{1,64}$'),
	kind       text NOT NULL CHECK (kind IN ('feed', 'cap', 'open311', 'ngsi', 'mqtt')),
	url        text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
	label      text NOT NULL CHECK (label ~ '^[a-z0-9]{1,32}$'),
	ok         bool NOT NULL,
	state      text NOT NULL CHECK (char_length(state) BETWEEN 1 AND 32),
	last_ok    timestamptz,
	last_error text CHECK (char_length(last_error) <= 300),
	error_at   timestamptz,
	counts     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(counts) = 'object'),
	position   text CHECK (char_length(position) <= 64),
	reconnects bigint NOT NULL DEFAULT 0 CHECK (reconnects >= 0),
	every_s    int NOT NULL CHECK (every_s BETWEEN 1 AND 3600),
	since      timestamptz NOT NULL DEFAULT now(),  -- ok last changed
	updated    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ingest, kind, url)
);
-- Read and written only through the functions (SECURITY DEFINER, with
-- their role checks): row-level security on and no policy, no grants.
ALTER TABLE cityops.source_health ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON cityops.source_health FROM PUBLIC, cityops_user;
