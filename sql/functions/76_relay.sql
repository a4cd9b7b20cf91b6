-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The relay's read of the change log (issue 12, docs/scale.md "Relay").
--
-- A relay serves change records in sequence order and lets a subscriber
-- resume after the last sequence it received, so it may pass on a record
-- only once no smaller sequence can still commit (sequence order is not
-- commit order, migration 030). Each call returns, beside the rows after
-- p_after (oldest first, at most p_limit), three marks:
--   drawn  the change log sequence's last value, read during this call;
--   xmin   the oldest transaction still running at this call's snapshot
--          (taken at the start of the call);
--   own    this call's own transaction id, assigned just after drawn was
--          read: every id handed out before is smaller.
-- Every change record is written by a trigger after its row was written
-- (or by a drill function after its own write), so the transaction that
-- drew a sequence value had its id before it drew it. Hence, when call k
-- read drawn = D and then got own = N, and a later call j has xmin > N,
-- every transaction that drew a value <= D has ended before call j's
-- snapshot: call j sees all of them that committed, and the relay may
-- pass on every row <= D in order. A transaction that already had an id
-- breaks this, so the call is refused in one (CO006). (Until 2026-12 own was assigned before
-- drawn was read, so the relay had to pair D with the next call's own:
-- one more round trip before every release.)
--
-- (The snapshot's xmax is not enough: it is the newest *completed* id
-- plus one, and a transaction with a larger id may be running without
-- being listed. The scale/relay test lost records that way.) The price is
-- one transaction id per call; the relay calls at most every few
-- milliseconds while a change settles, and once a second when idle.
--
-- VOLATILE (it takes a transaction id) and SECURITY DEFINER because the
-- sequence is the owner's; it answers only a login with city scope, which
-- row-level security would show every row anyway.
CREATE OR REPLACE FUNCTION cityops.relay_changes(p_after bigint, p_limit int DEFAULT 5000)
RETURNS TABLE (drawn bigint, xmin xid8, own xid8, seq bigint, kind text, object text,
	incident_id bigint, region_path text, exercise bool)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_scope ltree := scope_path();
	v_drawn bigint;
	v_snap pg_snapshot := pg_current_snapshot();
	v_own xid8;
BEGIN
	IF v_scope IS NULL OR nlevel(v_scope) <> 1 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO002',
			MESSAGE = 'relay_changes needs a login with city scope';
	END IF;
	-- own must be assigned after drawn is read: a transaction that had
	-- its id already could release a record a writer has not committed.
	IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'relay_changes needs a transaction of its own',
			HINT = 'call it outside an explicit transaction that has written';
	END IF;
	SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END INTO v_drawn
		FROM cityops.change_log_seq_seq s;
	-- Only now: the id must be newer than every writer's that drew <= D.
	v_own := pg_current_xact_id();
	RETURN QUERY
	SELECT v_drawn, pg_snapshot_xmin(v_snap), v_own, c.seq, c.kind,
		c.object, c.incident_id, c.region_path::text, c.exercise
	FROM (SELECT 1) one
	LEFT JOIN LATERAL (
		SELECT * FROM cityops.change_log l WHERE l.seq > coalesce(p_after, 0)
		ORDER BY l.seq LIMIT greatest(coalesce(p_limit, 5000), 1)
	) c ON true
	ORDER BY c.seq;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.relay_changes(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.relay_changes(bigint, int) TO cityops_user;
