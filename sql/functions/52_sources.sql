-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The health of ingest's sources (migration 075; docs/ingest.md, "Health").

-- Replaces what ingest p_ingest said about its sources with p_rows, a JSON
-- array of {kind, url, label, ok, state, last_ok, last_error, error_at,
-- counts, position, reconnects}; every_s is how often it reports (a row
-- older than three times that is shown stale). Sources it no longer has
-- are removed. Only an officer (or above) whose scope is the whole city
-- may report (cityops_ingest is one): a district's operator cannot paint
-- a failing source green. A source whose ok changes (or appears) is
-- audited and announced ({"t":"source"}); the steady reports every few
-- seconds are neither, so the trail and the change log stay readable.
CREATE OR REPLACE FUNCTION cityops.source_health_put(p_ingest text, p_every_s int, p_rows jsonb)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
	r record;
	v_n int := 0;
	v_old bool;
BEGIN
	PERFORM require_role(me, 'officer', 'reporting source health');
	IF nlevel(me.scope_path) <> 1 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO003',
			MESSAGE = format('reporting source health needs the whole city in scope; yours is %s',
				me.scope_name);
	END IF;
	IF p_ingest IS NULL OR p_ingest !~ '^[A-Za-z0-9_.:@-]{1,64}$' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'an ingest name is 1 to 64 of A-Z a-z 0-9 _ . : @ -';
	END IF;
	IF p_rows IS NULL OR jsonb_typeof(p_rows) <> 'array' OR jsonb_array_length(p_rows) > 256 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'source health is a JSON array of at most 256 sources';
	END IF;
	FOR r IN SELECT * FROM jsonb_to_recordset(p_rows) AS x(kind text, url text, label text,
			ok bool, state text, last_ok timestamptz, last_error text, error_at timestamptz,
			counts jsonb, "position" text, reconnects bigint) LOOP
		SELECT h.ok INTO v_old FROM source_health h
			WHERE h.ingest = p_ingest AND h.kind = r.kind AND h.url = r.url;
		INSERT INTO source_health AS h (ingest, kind, url, label, ok, state, last_ok,
				last_error, error_at, counts, position, reconnects, every_s)
			VALUES (p_ingest, r.kind, r.url, r.label, coalesce(r.ok, false),
				coalesce(r.state, '?'), r.last_ok, left(r.last_error, 300), r.error_at,
				coalesce(r.counts, '{}'), left(r.position, 64), coalesce(r.reconnects, 0),
				p_every_s)
			ON CONFLICT (ingest, kind, url) DO UPDATE SET label = EXCLUDED.label,
				ok = EXCLUDED.ok, state = EXCLUDED.state, last_ok = EXCLUDED.last_ok,
				last_error = EXCLUDED.last_error, error_at = EXCLUDED.error_at,
				counts = EXCLUDED.counts, position = EXCLUDED.position,
				reconnects = EXCLUDED.reconnects, every_s = EXCLUDED.every_s,
				since = CASE WHEN h.ok IS DISTINCT FROM EXCLUDED.ok THEN now() ELSE h.since END,
				updated = now();
		IF v_old IS DISTINCT FROM coalesce(r.ok, false) THEN
			PERFORM audit_log('source.health', r.kind || ' ' || r.url,
				jsonb_build_object('ingest', p_ingest, 'ok', coalesce(r.ok, false),
					'state', r.state, 'error', left(r.last_error, 300)));
			PERFORM change_emit('source', r.kind || ' ' || r.url, NULL, NULL, false,
				jsonb_build_object('t', 'source', 'kind', r.kind, 'label', r.label,
					'ok', coalesce(r.ok, false)));
		END IF;
		v_n := v_n + 1;
	END LOOP;
	DELETE FROM source_health h WHERE h.ingest = p_ingest
		AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(p_rows) e
			WHERE e->>'kind' = h.kind AND e->>'url' = h.url);
	RETURN v_n;
END
$$;
REVOKE ALL ON FUNCTION cityops.source_health_put(text, int, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.source_health_put(text, int, jsonb) TO cityops_user;

-- Every source's last report, for any operator (the sources are city-wide
-- configuration, like the entity mapping); stale when older than three
-- reporting intervals (ingest stopped, or cut off from the database).
CREATE OR REPLACE FUNCTION cityops.source_health()
RETURNS TABLE (ingest text, kind text, url text, label text, ok bool, stale bool,
	state text, last_ok timestamptz, last_error text, error_at timestamptz, counts jsonb,
	"position" text, reconnects bigint, since timestamptz, updated timestamptz, age_s int)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'viewer', 'reading source health');
	RETURN QUERY SELECT h.ingest, h.kind, h.url, h.label, h.ok,
			h.updated < now() - make_interval(secs => 3 * h.every_s),
			h.state, h.last_ok, h.last_error, h.error_at, h.counts, h.position,
			h.reconnects, h.since, h.updated,
			extract(epoch FROM now() - h.updated)::int
		FROM source_health h ORDER BY h.ingest, h.label, h.url;
END
$$;
REVOKE ALL ON FUNCTION cityops.source_health() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.source_health() TO cityops_user;
