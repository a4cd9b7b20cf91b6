-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Feeds and ingest (docs/sql-api.md, "Feeds and ingest"; docs/ingest.md):
-- readings stored idempotently, incidents raised or merged from feeds,
-- the entity map, alarms and the incidents raised from them.

-- ------------------------------------------------------------------------
-- Readings. A batch is one statement, so the statement-level trigger
-- (reading_apply) judges each indicator once per batch. (indicator_id, at)
-- is the primary key: a batch resent after a restart adds nothing twice.
CREATE OR REPLACE FUNCTION cityops.ingest_readings(p_indicators text[], p_values float8[],
	p_ats timestamptz[])
RETURNS TABLE (accepted int, duplicate int, unknown int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
	v_total int := coalesce(cardinality(p_indicators), 0);
	v_known int;
	v_accepted int;
BEGIN
	PERFORM require_role(me, 'officer', 'ingest readings');
	IF v_total <> coalesce(cardinality(p_values), 0)
			OR v_total <> coalesce(cardinality(p_ats), 0) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'indicators, values and times must be arrays of one length';
	END IF;
	-- Only known indicators in the caller's scope, with a finite value
	-- and a time, are kept; the rest are counted as unknown.
	WITH known AS (
		SELECT u.id, u.v, u.at
		FROM unnest(p_indicators, p_values, p_ats) AS u(id, v, at)
		JOIN indicator i ON i.id = u.id AND i.region_path <@ me.scope_path
			AND i.retired_at IS NULL
		-- Times from the future are judged by ingest (future_time,
		-- feed_judge), which knows the source's tolerance.
		WHERE u.at IS NOT NULL AND u.v IS NOT NULL
			AND u.v NOT IN ('NaN', 'Infinity', '-Infinity')
	), stored AS (
		INSERT INTO reading (indicator_id, at, value)
			SELECT id, at, v::numeric FROM known
			ON CONFLICT (indicator_id, at) DO NOTHING
			RETURNING 1
	)
	SELECT (SELECT count(*) FROM known), (SELECT count(*) FROM stored)
		INTO v_known, v_accepted;
	RETURN QUERY SELECT v_accepted, v_known - v_accepted, v_total - v_known;
END
$$;

-- The COPY path (issue 12): ingest COPYs a batch into reading_inbox and,
-- in the same transaction, calls this. It takes out the transaction's own
-- rows and stores them as ingest_readings does, in one INSERT (so the
-- statement-level reading_apply judges each indicator once per batch).
-- Readings older than the retention period (partition_retention) are
-- counted with the unknown ones, never stored. A value that differs from the one already stored for the same indicator
-- and time, from this batch or from any earlier one, is a conflict: the
-- stored value is kept, the other counted and noted in reading_conflict.
CREATE OR REPLACE FUNCTION cityops.ingest_inbox()
RETURNS TABLE (accepted int, duplicate int, unknown int, conflicting int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'officer', 'ingest readings');
	RETURN QUERY
	WITH mine AS (
		DELETE FROM reading_inbox b WHERE b.xid = pg_current_xact_id()
		RETURNING b.indicator_id, b.value, b.at
	), known AS (
		SELECT m.indicator_id AS id, m.value::numeric AS v, m.at
		FROM mine m
		JOIN indicator i ON i.id = m.indicator_id AND i.region_path <@ me.scope_path
			AND i.retired_at IS NULL
		WHERE m.at IS NOT NULL AND m.value IS NOT NULL
			AND m.value NOT IN ('NaN', 'Infinity', '-Infinity')
			-- Older than the retention: it would only be dropped again.
			AND m.at >= coalesce(now() - (SELECT make_interval(days => r.retain_days)
				FROM partition_retention r WHERE r.table_name = 'reading'), '-infinity')
	), ranked AS (
		-- Within a batch, the lowest of several values for one time is
		-- the one stored (any rule would do; this one is repeatable).
		SELECT k.id, k.at, k.v, first_value(k.v) OVER w AS pick,
			row_number() OVER w AS n
		FROM known k WINDOW w AS (PARTITION BY k.id, k.at ORDER BY k.v)
	), stored AS (
		INSERT INTO reading (indicator_id, at, value)
			SELECT k.id, k.at, k.v FROM ranked k WHERE k.n = 1
			ON CONFLICT (indicator_id, at) DO NOTHING
			RETURNING 1
	), clash AS (
		-- The kept value: stored before this statement (its snapshot
		-- does not see its own insertions), else the batch's pick. No
		-- join with `stored`: its row count is unknown to the planner.
		SELECT k.id, k.at, k.v, coalesce(r.value, k.pick) AS kept
		FROM ranked k
		LEFT JOIN reading r ON r.indicator_id = k.id AND r.at = k.at
		WHERE coalesce(r.value, k.pick) <> k.v
	), noted AS (
		INSERT INTO reading_conflict AS c (indicator_id, at, value, kept)
			SELECT DISTINCT ON (x.id, x.at, x.v) x.id, x.at, x.v, x.kept FROM clash x
			ON CONFLICT (indicator_id, at, value) DO UPDATE
				SET seen = c.seen + 1, last_seen = now()
	)
	SELECT (SELECT count(*) FROM stored)::int,
		((SELECT count(*) FROM known) - (SELECT count(*) FROM stored))::int,
		((SELECT count(*) FROM mine) - (SELECT count(*) FROM known))::int,
		(SELECT count(*) FROM clash)::int;
END
$$;

-- ------------------------------------------------------------------------
-- Incidents from feeds. The dedup key is required: it is what makes a
-- resent CAP alert or Open311 request merge instead of doubling. A feed
-- may place an incident by coordinates only; it then goes to the deepest
-- region whose extent contains the point (region_at), and a point outside
-- the city's bounds is refused with out_of_area (CO008), never snapped.
-- A report ingest hands over again after a restart (same content and
-- p_message, the source's identity of the message; migration 015) is
-- answered with its incident and replayed = true, changing nothing;
-- p_message NULL (drills, alarm incidents): no replay check.
CREATE OR REPLACE FUNCTION cityops.feed_incident(p_source text, p_category text, p_priority int,
	p_region text, p_title text, p_description text, p_location text,
	p_lat float8, p_lon float8, p_dedup_key text, p_exercise bool,
	p_message text DEFAULT NULL)
RETURNS TABLE (ref text, merged bool, replayed bool)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_region text := nullif(btrim(p_region), '');
	v_digest text;
	v_fresh bool := false;
	v_ref text;
	v_merged bool;
	v_lat float8 := p_lat;
	v_lon float8 := p_lon;
	v_swapped bool := false;
BEGIN
	PERFORM require_role(me, 'officer', 'raise');
	PERFORM require_text(p_dedup_key, 'a feed incident needs a dedup key');
	IF p_message IS NOT NULL THEN
		-- A JSON array keeps NULL and '' apart and fields from running
		-- into each other.
		v_digest := md5(jsonb_build_array(p_message, p_source, p_category, p_priority,
			p_region, p_title, p_description, p_location, p_lat, p_lon, p_dedup_key,
			coalesce(p_exercise, false))::text);
		-- Claimed first: a concurrent copy of the same report waits here
		-- for this transaction and then finds it stored.
		INSERT INTO feed_report (digest, dedup_key) VALUES (v_digest, p_dedup_key)
			ON CONFLICT (digest) DO NOTHING
			RETURNING true INTO v_fresh;
		v_fresh := coalesce(v_fresh, false);
		IF NOT v_fresh THEN
			SELECT f.incident_ref INTO v_ref FROM feed_report f
				JOIN incident i ON i.ref = f.incident_ref
				WHERE f.digest = v_digest AND i.region_path <@ me.scope_path;
			-- Out of the caller's scope: go on as for a new report, so
			-- that the usual checks answer and nothing is revealed.
			IF v_ref IS NOT NULL THEN
				RETURN QUERY SELECT v_ref, true, true;
				RETURN;
			END IF;
		END IF;
	END IF;
	-- A GB/T 2260 code (6 digits, or 12 by its prefix) that names no
	-- region of this city is somewhere else: out of area.
	IF v_region ~ '^[0-9]{6}([0-9]{6})?$'
			AND NOT EXISTS (SELECT 1 FROM region r WHERE r.code = v_region) THEN
		SELECT r.code INTO v_region FROM region r
			WHERE r.code IN (left(v_region, 9), left(v_region, 6))
			ORDER BY length(r.code) DESC LIMIT 1;
		IF v_region IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO008',
				MESSAGE = format('out_of_area: region code %s is not in this city', p_region);
		END IF;
	END IF;
	IF v_region IS NULL THEN
		IF p_lat IS NULL OR p_lon IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = 'a feed incident needs a region or coordinates';
		END IF;
		-- The deepest region containing the point; outside the city's
		-- bounds it is refused, never snapped (region_at, 55_catalogue).
		SELECT a.region_code, a.lat, a.lon, a.swapped INTO v_region, v_lat, v_lon, v_swapped
			FROM region_at(p_lat, p_lon) a;
		IF v_region IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO008',
				MESSAGE = format('out_of_area: %s, %s (lat, lon) is outside the city''s bounds',
					p_lat, p_lon);
		END IF;
		IF v_swapped THEN
			RAISE WARNING 'swapped_coordinates: report %: latitude and longitude (%, %) were swapped; placed at %, % in %',
				p_dedup_key, p_lat, p_lon, v_lat, v_lon, v_region;
		END IF;
	END IF;
	SELECT r.ref, r.merged INTO v_ref, v_merged
		FROM incident_raise(p_category, p_priority, v_region, p_title, p_location,
			p_description, p_source, p_dedup_key, p_exercise) r;
	IF NOT v_merged AND v_lat IS NOT NULL AND v_lon IS NOT NULL THEN
		UPDATE incident SET lat = v_lat, lon = v_lon WHERE incident.ref = v_ref;
	END IF;
	IF v_fresh THEN
		UPDATE feed_report SET incident_ref = v_ref WHERE digest = v_digest;
	END IF;
	RETURN QUERY SELECT v_ref, v_merged, false;
END
$$;
REVOKE ALL ON FUNCTION cityops.feed_incident(text, text, int, text, text, text, text,
	float8, float8, text, bool, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.feed_incident(text, text, int, text, text, text, text,
	float8, float8, text, bool, text) TO cityops_user;

CREATE OR REPLACE FUNCTION cityops.entity_mappings()
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT entity_type, entity_id, attribute, indicator_id FROM entity_map
	ORDER BY entity_type, entity_id, attribute
$$;

-- Admins edit the mapping; a NULL indicator removes the row.
CREATE OR REPLACE FUNCTION cityops.entity_map_set(p_entity_type text, p_entity_id text,
	p_attribute text, p_indicator text)
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_id text := coalesce(nullif(btrim(p_entity_id), ''), '*');
BEGIN
	PERFORM require_role(me, 'admin', 'edit the entity mapping');
	IF p_indicator IS NULL THEN
		DELETE FROM entity_map m WHERE m.entity_type = p_entity_type
			AND m.entity_id = v_id AND m.attribute = p_attribute;
	ELSE
		IF NOT EXISTS (SELECT 1 FROM indicator WHERE id = p_indicator) THEN
			RAISE EXCEPTION USING ERRCODE = 'CO001',
				MESSAGE = format('no indicator %s', p_indicator);
		END IF;
		INSERT INTO entity_map VALUES (p_entity_type, v_id, p_attribute, p_indicator)
			ON CONFLICT ON CONSTRAINT entity_map_pkey
			DO UPDATE SET indicator_id = EXCLUDED.indicator_id;
	END IF;
	PERFORM audit_log('entity_map.set', p_entity_type || '/' || v_id || '/' || p_attribute,
		jsonb_build_object('indicator', p_indicator));
	PERFORM catalogue_notify('feed_map', p_entity_type || '/' || v_id || '/' || p_attribute);
	RETURN QUERY SELECT p_entity_type, v_id, p_attribute, p_indicator;
END
$$;

-- ------------------------------------------------------------------------
-- Alarms, as the console lists them; most severe and newest first.
CREATE OR REPLACE FUNCTION cityops.alarms(p_region text DEFAULT NULL, p_open bool DEFAULT true)
RETURNS TABLE (id bigint, indicator_id text, name text, region_name text, level text,
	state text, value numeric, uom text, raised_at timestamptz, acknowledged_by name,
	cleared_at timestamptz)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT a.id, a.indicator_id, i.name, r.name, a.level, a.state, a.value, i.uom,
		a.raised_at, a.acknowledged_by, a.cleared_at
	FROM alarm a JOIN indicator i ON i.id = a.indicator_id
	JOIN region r ON r.code = i.region_code
	WHERE (NOT coalesce(p_open, true) OR a.state <> 'cleared')
		AND NOT i.exercise
		AND (p_region IS NULL OR a.region_path <@
			(SELECT path FROM region WHERE code = region_resolve(p_region)))
	ORDER BY a.state = 'cleared', a.level = 'warn', a.raised_at DESC
	LIMIT 200
$$;

CREATE OR REPLACE FUNCTION cityops.alarm_ack(p_alarm bigint, p_note text)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v alarm;
BEGIN
	PERFORM require_role(me, 'officer', 'acknowledge an alarm');
	PERFORM check_length('note', p_note, 2000);
	SELECT * INTO v FROM alarm a WHERE a.id = p_alarm FOR UPDATE;
	IF NOT FOUND OR NOT v.region_path <@ me.scope_path THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no alarm %s', p_alarm);
	END IF;
	IF v.state <> 'raised' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO004',
			MESSAGE = format('alarm %s is %s; only a raised alarm can be acknowledged',
				p_alarm, v.state);
	END IF;
	UPDATE alarm a SET state = 'acknowledged', acknowledged_at = cityops.now(),
		acknowledged_by = session_user WHERE a.id = p_alarm;
	PERFORM audit_log('alarm.ack', p_alarm::text, jsonb_build_object('note', p_note));
	RETURN QUERY SELECT p_alarm, 'acknowledged'::text;
END
$$;

CREATE OR REPLACE FUNCTION cityops.raise_alarm_incidents()
RETURNS TABLE (alarm bigint, ref text, merged bool)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	a record;
	v_ref text;
	v_merged bool;
BEGIN
	PERFORM require_role(me, 'officer', 'raise incidents from alarms');
	-- SKIP LOCKED: two ingest daemons never raise for one alarm twice,
	-- and neither waits for the other.
	FOR a IN
		SELECT al.id, al.value, i.name, i.uom, i.alarm AS threshold, i.region_code,
			coalesce(ic.incident_category, 'city_mgmt') AS category
		FROM alarm al
		JOIN indicator i ON i.id = al.indicator_id
		JOIN indicator_category ic ON ic.code = i.category_code
		WHERE al.level = 'alarm' AND al.state <> 'cleared' AND al.incident_ref IS NULL
			AND NOT i.exercise AND i.region_path <@ me.scope_path
		ORDER BY al.id
		FOR UPDATE OF al SKIP LOCKED
	LOOP
		SELECT f.ref, f.merged INTO v_ref, v_merged
		FROM feed_incident('sensor', a.category, 2, a.region_code,
			a.name || '超过告警值',
			format('%s 读数 %s %s，告警值 %s', a.name, a.value, a.uom, a.threshold),
			NULL, NULL, NULL, 'alarm:' || a.id, false) f;
		UPDATE alarm SET incident_ref = v_ref WHERE id = a.id;
		RETURN QUERY SELECT a.id, v_ref, v_merged;
	END LOOP;
END
$$;

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
