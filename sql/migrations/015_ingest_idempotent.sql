-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 015_ingest_idempotent: a feed report replayed after a restart merges once.
--
-- ingest resumes a feed from the last position it committed, so after a
-- kill it receives again whatever it had not yet committed, and sources
-- resend too (an Open311 poll returns the same open request again, a CAP
-- alert is repeated under its identifier). Merging by dedup key kept
-- incidents single, but every replay appended another 'merge' row to the
-- timeline. Now each report that ingest hands over is identified, and one
-- already stored is answered with its incident and changes nothing.
--
-- What identifies a report: its whole content as the feed gave it (source,
-- category, priority, region, title, description, location, coordinates,
-- dedup key, exercise flag) together with the source's own identity of the
-- message, which ingest passes as p_message (the format and the message's
-- own time: CAP sent, Open311 updated_datetime or requested_datetime, the
-- native ts, the NGSI-LD Alert's date). Not the stream position: that
-- survives a replay but not a source resending the same message at a new
-- position, and feeds that cannot resume have none. A digest of content
-- and time survives both, and a real update (new text, new status, a new
-- time) is a new message and still merges once.

CREATE TABLE cityops.feed_report (
	digest       text PRIMARY KEY, -- md5 of the report, see feed_incident
	dedup_key    text NOT NULL,
	incident_ref text,             -- set in the same transaction
	stored_at    timestamptz NOT NULL DEFAULT now()
);
-- Owner only: feed_incident (SECURITY DEFINER) reads and writes it. Refs
-- of every incident are here, so no operator reads it directly: no grant,
-- and row-level security with no policy besides.
REVOKE ALL ON cityops.feed_report FROM PUBLIC, cityops_user;
ALTER TABLE cityops.feed_report ENABLE ROW LEVEL SECURITY;

-- feed_incident() is defined once, in sql/functions/50_feeds.sql, since
-- issue 13 (one definition of every function; docs/sql-api.md). The file
-- stays so that a database that recorded it still finds the same list.
