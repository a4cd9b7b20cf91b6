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
-- Readings. A batch is one statement, so the statement-level trigger
-- (reading_apply) judges each indicator once per batch. (indicator_id, at)
-- is the primary key: a batch resent after a restart adds nothing twice.
CREATE FUNCTION cityops.ingest_readings(p_indicators text[], p_values float8[],
	p_ats timestamptz[])
RETURNS TABLE (accepted int, duplicate int, unknown int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public
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

-- ------------------------------------------------------------------------
-- Incidents from feeds. The dedup key is required: it is what makes a
-- resent CAP alert or Open311 request merge instead of doubling. A feed
-- may place an incident by coordinates only; it then goes to the nearest
-- region with a centroid, at the finest level.
CREATE FUNCTION cityops.feed_incident(p_source text, p_category text, p_priority int,
	p_region text, p_title text, p_description text, p_location text,
	p_lat float8, p_lon float8, p_dedup_key text, p_exercise bool)
RETURNS TABLE (ref text, merged bool)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	v_region text := nullif(btrim(p_region), '');
	v_ref text;
	v_merged bool;
BEGIN
	PERFORM require_text(p_dedup_key, 'a feed incident needs a dedup key');
	IF v_region IS NULL THEN
		IF p_lat IS NULL OR p_lon IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = 'a feed incident needs a region or coordinates';
		END IF;
		SELECT r.code INTO v_region FROM region r
			WHERE r.lat IS NOT NULL
			ORDER BY (r.lat - p_lat) ^ 2 + ((r.lon - p_lon) * cos(radians(p_lat))) ^ 2,
				nlevel(r.path) DESC
			LIMIT 1;
	END IF;
	SELECT r.ref, r.merged INTO v_ref, v_merged
		FROM incident_raise(p_category, p_priority, v_region, p_title, p_location,
			p_description, p_source, p_dedup_key, p_exercise) r;
	IF NOT v_merged AND p_lat IS NOT NULL AND p_lon IS NOT NULL THEN
		UPDATE incident SET lat = p_lat, lon = p_lon WHERE incident.ref = v_ref;
	END IF;
	RETURN QUERY SELECT v_ref, v_merged;
END
$$;

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

CREATE FUNCTION cityops.entity_mappings()
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text)
LANGUAGE sql STABLE SET search_path = cityops, public
AS $$
	SELECT entity_type, entity_id, attribute, indicator_id FROM entity_map
	ORDER BY entity_type, entity_id, attribute
$$;

-- Admins edit the mapping; a NULL indicator removes the row.
CREATE FUNCTION cityops.entity_map_set(p_entity_type text, p_entity_id text,
	p_attribute text, p_indicator text)
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public
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
	RETURN QUERY SELECT p_entity_type, v_id, p_attribute, p_indicator;
END
$$;

-- ------------------------------------------------------------------------
-- Alarms, as the console lists them; most severe and newest first.
CREATE FUNCTION cityops.alarms(p_region text DEFAULT NULL, p_open bool DEFAULT true)
RETURNS TABLE (id bigint, indicator_id text, name text, region_name text, level text,
	state text, value numeric, uom text, raised_at timestamptz, acknowledged_by name,
	cleared_at timestamptz)
LANGUAGE sql STABLE SET search_path = cityops, public
AS $$
	SELECT a.id, a.indicator_id, i.name, r.name, a.level, a.state, a.value, i.uom,
		a.raised_at, a.acknowledged_by, a.cleared_at
	FROM alarm a JOIN indicator i ON i.id = a.indicator_id
	JOIN region r ON r.code = i.region_code
	WHERE (NOT coalesce(p_open, true) OR a.state <> 'cleared')
		AND (p_region IS NULL OR a.region_path <@
			(SELECT path FROM region WHERE code = region_resolve(p_region)))
	ORDER BY a.state = 'cleared', a.level = 'warn', a.raised_at DESC
	LIMIT 200
$$;

CREATE FUNCTION cityops.alarm_ack(p_alarm bigint, p_note text)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v alarm;
BEGIN
	PERFORM require_role(me, 'officer', 'acknowledge an alarm');
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
