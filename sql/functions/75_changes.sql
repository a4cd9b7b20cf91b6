-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The change log (migration 030): written by the triggers that NOTIFY,
-- read by consoles (and the relay) to catch up after a reconnect.

-- Record one change and NOTIFY it, with its sequence, in the caller's
-- transaction. Called by notify_change, notify_event and the drill
-- functions; it runs as the writer (the owner, inside the write API):
-- operators have no INSERT on change_log, so calling it directly fails.
CREATE OR REPLACE FUNCTION cityops.change_emit(p_kind text, p_object text,
	p_incident bigint, p_region ltree, p_exercise bool, p_payload jsonb)
RETURNS bigint
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_seq bigint;
	v_payload jsonb;
BEGIN
	v_seq := nextval(pg_get_serial_sequence('cityops.change_log', 'seq'));
	v_payload := p_payload || jsonb_build_object('seq', v_seq);
	INSERT INTO change_log (seq, kind, object, incident_id, region_path, exercise, payload)
		OVERRIDING SYSTEM VALUE
		VALUES (v_seq, p_kind, p_object, p_incident, p_region, coalesce(p_exercise, false),
			v_payload);
	PERFORM pg_notify('cityops', v_payload::text);
	RETURN v_seq;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.change_emit(text, text, bigint, ltree, bool, jsonb) FROM PUBLIC;

-- The changes a reader has not applied yet, oldest sequence first: those
-- with seq > p_after, and, when p_horizon is given (the horizon of the
-- reader's previous answer), also those written by a transaction at or
-- past that horizon: a transaction that had not committed at the previous
-- read may hold a smaller seq than one already read (sequence order is
-- not commit order). The reader skips the seqs it already applied. Every
-- row carries the new horizon (pass it next time), total (how many rows
-- matched; more than p_limit means the gap is too large: resync in full)
-- and the rows are the newest p_limit of them. Asked from before the
-- highest sequence retention deleted (retention.pruned_upto), total is
-- always more than p_limit: rows the reader never saw are gone. With no row, one row with
-- only horizon and total 0 comes back. Row-level security limits the rows to the caller's
-- scope (plus the city-wide rows); exercise rows only when p_exercise.
CREATE OR REPLACE FUNCTION cityops.changes_since(p_after bigint, p_horizon xid8 DEFAULT NULL,
	p_exercise bool DEFAULT false, p_limit int DEFAULT 1000)
RETURNS TABLE (horizon xid8, total bigint, seq bigint, tx xid8, at timestamptz, kind text,
	object text, incident_id bigint, region_path ltree, exercise bool, payload jsonb)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	WITH h AS (
		SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon
	), span AS (
		SELECT c.* FROM cityops.change_log c
		WHERE (c.seq > coalesce(p_after, 0) OR (p_horizon IS NOT NULL AND c.tx >= p_horizon))
			AND (p_exercise OR NOT c.exercise)
	), newest AS (
		SELECT * FROM span ORDER BY seq DESC LIMIT greatest(coalesce(p_limit, 1000), 1)
	)
	SELECT h.horizon,
		-- Asked from before what retention deleted (migration 032): a gap.
		CASE WHEN coalesce(p_after, 0) < (SELECT r.pruned_upto FROM cityops.retention r
				WHERE r.what = 'change_log')
			THEN greatest((SELECT count(*) FROM span), greatest(coalesce(p_limit, 1000), 1)) + 1
			ELSE (SELECT count(*) FROM span) END,
		n.seq, n.tx, n.at, n.kind, n.object,
		n.incident_id, n.region_path, n.exercise, n.payload
	FROM h LEFT JOIN newest n ON true
	ORDER BY n.seq
$$;
REVOKE EXECUTE ON FUNCTION cityops.changes_since(bigint, xid8, bool, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.changes_since(bigint, xid8, bool, int) TO cityops_user;

-- The newest sequence the caller may see and the current horizon: where a
-- reader that starts without history begins.
CREATE OR REPLACE FUNCTION cityops.change_head()
RETURNS TABLE (seq bigint, horizon xid8)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT coalesce((SELECT max(c.seq) FROM cityops.change_log c), 0),
		pg_snapshot_xmin(pg_current_snapshot())
$$;
REVOKE EXECUTE ON FUNCTION cityops.change_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.change_head() TO cityops_user;

DROP POLICY IF EXISTS in_scope ON cityops.change_log;
CREATE POLICY in_scope ON cityops.change_log FOR SELECT TO cityops_user
	USING (region_path IS NULL OR region_path <@ (SELECT cityops.scope_path()));

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
