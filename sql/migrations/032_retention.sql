-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 032_retention: how long the change log (030) and the request ids (031)
-- are kept (issue 11). cityops.retention_prune() deletes what is older
-- (sql/functions/76_retention.sql); run it from cron or a systemd timer
-- (docs/continuity.md, "Retention").
--
-- The floors keep what clients still need: a request id is looked up by a
-- client settling a command whose answer it lost (seconds to minutes), so
-- it is kept at least a day; a console or relay behind by more than the
-- change log keeps resyncs in full (changes_since reports a gap once it
-- asks from before pruned_upto), so it is kept at least an hour.

CREATE TABLE cityops.retention (
	what        text PRIMARY KEY CHECK (what IN ('change_log', 'request')),
	keep        interval NOT NULL,
	pruned_upto bigint NOT NULL DEFAULT 0,   -- change_log: highest seq deleted
	pruned_at   timestamptz,
	CONSTRAINT retention_floor CHECK (keep >= CASE what WHEN 'request' THEN interval '1 day'
		ELSE interval '1 hour' END)
);
INSERT INTO cityops.retention (what, keep) VALUES
	('change_log', interval '7 days'),
	('request', interval '30 days');
ALTER TABLE cityops.retention ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON cityops.retention FROM cityops_user;
GRANT SELECT ON cityops.retention TO cityops_user;

CREATE INDEX change_log_at ON cityops.change_log (at);
