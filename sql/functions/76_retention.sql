-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Retention of the change log and the request ids (migration 032).

-- Deletes change_log and request rows older than their configured keep
-- (cityops.retention), as of p_now; returns how many of each went. Admins
-- only (cron runs it as an admin login: docs/continuity.md). Records the
-- highest change sequence deleted, so that changes_since reports a gap to
-- a reader that asks from before it, and audits what it did.
CREATE OR REPLACE FUNCTION cityops.retention_prune(p_now timestamptz DEFAULT now())
RETURNS TABLE (what text, deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_keep interval;
	v_changes bigint;
	v_requests bigint;
	v_upto bigint;
BEGIN
	PERFORM require_role(me, 'admin', 'prune the change log and request ids');
	IF p_now IS NULL OR p_now > now() THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'retention is pruned as of now or an earlier time',
			HINT = 'leave p_now out';
	END IF;
	SELECT r.keep INTO v_keep FROM retention r WHERE r.what = 'change_log' FOR UPDATE;
	WITH gone AS (
		DELETE FROM change_log c WHERE c.at < p_now - v_keep RETURNING c.seq
	) SELECT count(*), max(seq) INTO v_changes, v_upto FROM gone;
	UPDATE retention r SET pruned_upto = greatest(r.pruned_upto, coalesce(v_upto, 0)),
		pruned_at = now() WHERE r.what = 'change_log';
	SELECT r.keep INTO v_keep FROM retention r WHERE r.what = 'request' FOR UPDATE;
	DELETE FROM request q WHERE q.at < p_now - v_keep;
	GET DIAGNOSTICS v_requests = ROW_COUNT;
	UPDATE retention r SET pruned_at = now() WHERE r.what = 'request';
	PERFORM audit_log('retention prune', NULL, jsonb_build_object('change_log', v_changes,
		'request', v_requests, 'pruned_upto', coalesce(v_upto, 0)));
	RETURN QUERY VALUES ('change_log'::text, v_changes), ('request'::text, v_requests);
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.retention_prune(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.retention_prune(timestamptz) TO cityops_user;

-- Sets how long one kind of row is kept; admins only, never below the
-- floor (migration 032), audited.
CREATE OR REPLACE FUNCTION cityops.retention_set(p_what text, p_keep interval)
RETURNS TABLE (what text, keep interval)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_floor interval;
BEGIN
	PERFORM require_role(me, 'admin', 'set retention');
	PERFORM check_one_of('retention', p_what, ARRAY['change_log', 'request']);
	v_floor := CASE p_what WHEN 'request' THEN interval '1 day' ELSE interval '1 hour' END;
	IF p_keep IS NULL OR p_keep < v_floor THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('%s must be kept at least %s', p_what, v_floor),
			HINT = 'clients settle lost answers and catch up within that time';
	END IF;
	UPDATE retention r SET keep = p_keep WHERE r.what = p_what;
	PERFORM audit_log('retention set', p_what, jsonb_build_object('keep', p_keep::text));
	RETURN QUERY SELECT r.what, r.keep FROM retention r WHERE r.what = p_what;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.retention_set(text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.retention_set(text, interval) TO cityops_user;

DROP POLICY IF EXISTS everyone ON cityops.retention;
CREATE POLICY everyone ON cityops.retention FOR SELECT TO cityops_user USING (true);
