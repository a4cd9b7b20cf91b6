-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 030_change_log: every change that is NOTIFYed is also written, in the
-- same transaction, as a row of cityops.change_log with a monotonic
-- sequence (issue 11).
--
-- Notifications are not replicated and LISTEN is refused on a standby: a
-- console that reconnects (after an outage, after a failover to the other
-- node) has missed whatever was notified meanwhile. The change log is what
-- it reads to catch up: LISTEN again, then every change after the last
-- sequence it applied, then the notifications queued meanwhile, each
-- sequence applied once. The table is replicated like every other one, so
-- the new primary holds every committed change.
--
-- Sequence order is not commit order: seq is taken when the row is
-- inserted, so seq 12 may commit after seq 13 was read. Each row therefore
-- also records its transaction (tx, as incident_event.tx in 016), and a
-- reader asks for "seq > last, or tx >= the horizon of my last read"
-- (changes_since, sql/functions/75_changes.sql): every transaction older
-- than that horizon had ended, so nothing is missed, and the seqs already
-- applied are skipped.
--
-- region_path is the changed row's region (NULL for city-wide changes: the
-- mode, drills); row-level security shows a caller only its subtree and the
-- city-wide rows. Rows are written only by the triggers (SECURITY DEFINER
-- change_emit); operators cannot write the table.

CREATE TABLE cityops.change_log (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
	at          timestamptz NOT NULL DEFAULT now(),
	kind        text NOT NULL,       -- incident, unit, alarm, mode, event, drill
	object      text,                -- incident id, call sign, alarm id, event id …
	incident_id bigint,              -- for kind incident and event
	region_path ltree,               -- NULL: city-wide
	exercise    bool NOT NULL DEFAULT false,
	payload     jsonb NOT NULL       -- the NOTIFY payload, with seq
);
CREATE INDEX change_log_tx ON cityops.change_log (tx, seq);
CREATE INDEX change_log_region_path ON cityops.change_log USING gist (region_path);
ALTER TABLE cityops.change_log ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON cityops.change_log TO cityops_user;
