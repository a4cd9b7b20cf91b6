-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The catalogue an admin manages by command (issue 10; docs/ingest.md,
-- "The catalogue"): indicators, the feed mapping, regions imported from
-- GeoJSON, what ingest could not map, where a point lies, and the
-- sources' categories. Every write checks the role, writes an audit row
-- and NOTIFYs cityops ({"t":"catalogue","what":…,"id":…}).

-- ------------------------------------------------------------------------
-- An indicator without a unit code takes the one its symbol names.
CREATE OR REPLACE FUNCTION cityops.indicator_unit_fill() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	IF NEW.unit_code IS NULL THEN
		SELECT s.code INTO NEW.unit_code FROM uom_symbol s WHERE s.symbol = NEW.uom;
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS indicator_unit_fill ON cityops.indicator;
CREATE TRIGGER indicator_unit_fill BEFORE INSERT OR UPDATE OF uom, unit_code ON cityops.indicator
	FOR EACH ROW EXECUTE FUNCTION cityops.indicator_unit_fill();

-- A catalogue change: a change_log row (city-wide) and its NOTIFY, so a
-- console or ingest that reconnects after a failover still learns of it
-- (issue 11). Called from the SECURITY DEFINER catalogue writers.
CREATE OR REPLACE FUNCTION cityops.catalogue_notify(p_what text, p_id text) RETURNS void
LANGUAGE plpgsql SET search_path = cityops, public, pg_temp
AS $$
BEGIN
	PERFORM change_emit('catalogue', p_what || coalesce('/' || p_id, ''), NULL, NULL, false,
		jsonb_build_object('t', 'catalogue', 'what', p_what, 'id', p_id));
END
$$;

-- A unit code as UN/CEFACT writes it, or CO006 naming the known ones.
CREATE OR REPLACE FUNCTION cityops.unit_check(p_code text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v text := upper(btrim(p_code));
BEGIN
	IF p_code IS NULL THEN
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM unit_of_measure WHERE code = v) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('unknown unit code %s', p_code),
			HINT = 'a UN/CEFACT common code: ' ||
				(SELECT string_agg(code || ' ' || nullif(symbol, ''), ', ' ORDER BY dimension, code)
				 FROM unit_of_measure);
	END IF;
	RETURN v;
END
$$;

-- ------------------------------------------------------------------------
-- indicator add: key, name, category, unit code, region, side, warn,
-- alarm, hysteresis, staleness (s), owner department.
CREATE OR REPLACE FUNCTION cityops.indicator_add(p_id text, p_name text, p_category text,
	p_unit text, p_region text, p_side text, p_warn numeric, p_alarm numeric,
	p_hysteresis numeric, p_stale_s int, p_department text)
RETURNS TABLE (id text, name text, unit_code text, uom text, region_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_unit text;
	v_region text;
BEGIN
	PERFORM require_role(me, 'admin', 'add an indicator');
	PERFORM require_text(p_id, 'an indicator needs a key');
	PERFORM require_text(p_name, 'an indicator needs a name');
	IF p_id !~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('indicator key %s: lower-case words joined by dots, e.g. fx.tide.jinhui', p_id);
	END IF;
	IF EXISTS (SELECT 1 FROM indicator i WHERE i.id = p_id) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO004', MESSAGE = format('indicator %s exists', p_id);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM indicator_category c WHERE c.code = p_category) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = format('unknown indicator category %s', p_category),
			HINT = (SELECT 'one of: ' || string_agg(code, ', ' ORDER BY ord) FROM indicator_category);
	END IF;
	PERFORM check_one_of('side', p_side, ARRAY['high', 'low']);
	v_unit := unit_check(p_unit);
	IF v_unit IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006', MESSAGE = 'an indicator needs a unit code';
	END IF;
	v_region := region_resolve(p_region);
	IF (p_side = 'high' AND p_warn > p_alarm) OR (p_side = 'low' AND p_warn < p_alarm) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('side %s needs warn %s alarm', p_side, CASE p_side WHEN 'high' THEN '<=' ELSE '>=' END);
	END IF;
	IF coalesce(p_stale_s, 0) <= 0 OR coalesce(p_hysteresis, 0) < 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'staleness must be > 0 seconds and hysteresis >= 0';
	END IF;
	INSERT INTO indicator (id, category_code, name, uom, unit_code, region_code, side, warn,
		alarm, hysteresis, department_code, stale_s)
	VALUES (p_id, p_category, p_name, (SELECT nullif(symbol, '') FROM unit_of_measure WHERE code = v_unit),
		v_unit, v_region, p_side, p_warn, p_alarm, coalesce(p_hysteresis, 0),
		nullif(btrim(p_department), ''), p_stale_s);
	PERFORM audit_log('indicator.add', p_id, jsonb_build_object('unit', v_unit,
		'region', v_region, 'side', p_side, 'warn', p_warn, 'alarm', p_alarm));
	PERFORM catalogue_notify('indicator', p_id);
	RETURN QUERY SELECT i.id, i.name, i.unit_code, i.uom, i.region_code FROM indicator i
		WHERE i.id = p_id;
END
$$;

-- indicator set: one field at a time. Changing the unit converts nothing
-- already stored; it is refused once the indicator has readings.
CREATE OR REPLACE FUNCTION cityops.indicator_set(p_id text, p_field text, p_value text)
RETURNS TABLE (id text, field text, value text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_unit text;
BEGIN
	PERFORM require_role(me, 'admin', 'change an indicator');
	IF NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = p_id) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_id);
	END IF;
	PERFORM check_one_of('field', p_field, ARRAY['name', 'unit', 'region', 'side', 'warn',
		'alarm', 'hysteresis', 'stale', 'department', 'category']);
	CASE p_field
	WHEN 'name' THEN
		PERFORM require_text(p_value, 'a name is required');
		UPDATE indicator i SET name = p_value WHERE i.id = p_id;
	WHEN 'unit' THEN
		v_unit := unit_check(p_value);
		IF EXISTS (SELECT 1 FROM reading r WHERE r.indicator_id = p_id) THEN
			RAISE EXCEPTION USING ERRCODE = 'CO004',
				MESSAGE = format('indicator %s has readings in %s; its unit cannot change (add a new indicator)',
					p_id, (SELECT unit_code FROM indicator i WHERE i.id = p_id));
		END IF;
		UPDATE indicator i SET unit_code = v_unit,
			uom = (SELECT nullif(symbol, '') FROM unit_of_measure WHERE code = v_unit)
			WHERE i.id = p_id;
	WHEN 'region' THEN
		UPDATE indicator i SET region_code = region_resolve(p_value),
			region_path = (SELECT path FROM region WHERE code = region_resolve(p_value))
			WHERE i.id = p_id;
	WHEN 'side' THEN
		PERFORM check_one_of('side', p_value, ARRAY['high', 'low']);
		UPDATE indicator i SET side = p_value WHERE i.id = p_id;
	WHEN 'warn' THEN
		UPDATE indicator i SET warn = p_value::numeric WHERE i.id = p_id;
	WHEN 'alarm' THEN
		UPDATE indicator i SET alarm = p_value::numeric WHERE i.id = p_id;
	WHEN 'hysteresis' THEN
		UPDATE indicator i SET hysteresis = p_value::numeric WHERE i.id = p_id;
	WHEN 'stale' THEN
		UPDATE indicator i SET stale_s = p_value::int WHERE i.id = p_id;
	WHEN 'department' THEN
		UPDATE indicator i SET department_code = nullif(btrim(p_value), '') WHERE i.id = p_id;
	WHEN 'category' THEN
		UPDATE indicator i SET category_code = p_value WHERE i.id = p_id;
	END CASE;
	PERFORM audit_log('indicator.set', p_id, jsonb_build_object('field', p_field, 'value', p_value));
	PERFORM catalogue_notify('indicator', p_id);
	RETURN QUERY SELECT p_id, p_field, p_value;
EXCEPTION
	WHEN invalid_text_representation OR numeric_value_out_of_range THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('%s: %s is not a number', p_field, p_value);
	WHEN check_violation OR foreign_key_violation THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('indicator %s: %s %s refused (%s)', p_id, p_field, p_value, SQLERRM);
END
$$;

-- indicator retire: kept with its history; no longer mapped or fed.
CREATE OR REPLACE FUNCTION cityops.indicator_retire(p_id text)
RETURNS TABLE (id text, retired_at timestamptz, mappings int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_n int;
BEGIN
	PERFORM require_role(me, 'admin', 'retire an indicator');
	UPDATE indicator i SET retired_at = coalesce(i.retired_at, cityops.now()) WHERE i.id = p_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_id);
	END IF;
	DELETE FROM entity_map m WHERE m.indicator_id = p_id;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	PERFORM audit_log('indicator.retire', p_id, jsonb_build_object('mappings_removed', v_n));
	PERFORM catalogue_notify('indicator', p_id);
	RETURN QUERY SELECT i.id, i.retired_at, v_n FROM indicator i WHERE i.id = p_id;
END
$$;

-- ------------------------------------------------------------------------
-- The mapping as ingest and the console load it: live indicators only,
-- with the indicator's unit and the row's source unit.
CREATE OR REPLACE FUNCTION cityops.feed_mappings()
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text,
	indicator_unit text, source_unit text)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT m.entity_type, m.entity_id, m.attribute, m.indicator_id, i.unit_code, m.unit_code
	FROM entity_map m JOIN indicator i ON i.id = m.indicator_id
	WHERE i.retired_at IS NULL
	ORDER BY m.entity_type, m.entity_id, m.attribute
$$;

-- feed map add: (type, id or pattern, attribute) → indicator [unit].
CREATE OR REPLACE FUNCTION cityops.feed_map_add(p_entity_type text, p_entity_id text,
	p_attribute text, p_indicator text, p_unit text)
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text,
	unit_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_id text := coalesce(nullif(btrim(p_entity_id), ''), '*');
	v_unit text;
BEGIN
	PERFORM require_role(me, 'admin', 'edit the feed mapping');
	PERFORM require_text(p_entity_type, 'a mapping needs an entity type');
	PERFORM require_text(p_attribute, 'a mapping needs an attribute');
	IF NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = p_indicator AND i.retired_at IS NULL) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001', MESSAGE = format('no indicator %s', p_indicator);
	END IF;
	v_unit := unit_check(nullif(btrim(p_unit), ''));
	INSERT INTO entity_map AS m (entity_type, entity_id, attribute, indicator_id, unit_code)
		VALUES (p_entity_type, v_id, p_attribute, p_indicator, v_unit)
		ON CONFLICT ON CONSTRAINT entity_map_pkey
		DO UPDATE SET indicator_id = EXCLUDED.indicator_id, unit_code = EXCLUDED.unit_code;
	DELETE FROM feed_unmapped u WHERE u.entity_type = p_entity_type
		AND u.attribute = p_attribute
		AND (v_id = '*' OR u.entity_id LIKE replace(replace(replace(v_id, '\', '\\'), '%', '\%'), '*', '%'));
	PERFORM audit_log('feed_map.add', p_entity_type || '/' || v_id || '/' || p_attribute,
		jsonb_build_object('indicator', p_indicator, 'unit', v_unit));
	PERFORM catalogue_notify('feed_map', p_entity_type || '/' || v_id || '/' || p_attribute);
	RETURN QUERY SELECT p_entity_type, v_id, p_attribute, p_indicator, v_unit;
END
$$;

CREATE OR REPLACE FUNCTION cityops.feed_map_remove(p_entity_type text, p_entity_id text,
	p_attribute text)
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_id text := coalesce(nullif(btrim(p_entity_id), ''), '*');
	v_ind text;
BEGIN
	PERFORM require_role(me, 'admin', 'edit the feed mapping');
	DELETE FROM entity_map m WHERE m.entity_type = p_entity_type AND m.entity_id = v_id
		AND m.attribute = p_attribute
		RETURNING m.indicator_id INTO v_ind;
	IF v_ind IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CO001',
			MESSAGE = format('no mapping %s %s %s', p_entity_type, v_id, p_attribute);
	END IF;
	PERFORM audit_log('feed_map.remove', p_entity_type || '/' || v_id || '/' || p_attribute,
		jsonb_build_object('indicator', v_ind));
	PERFORM catalogue_notify('feed_map', p_entity_type || '/' || v_id || '/' || p_attribute);
	RETURN QUERY SELECT p_entity_type, v_id, p_attribute, v_ind;
END
$$;

CREATE OR REPLACE FUNCTION cityops.feed_map_list(p_entity_type text DEFAULT NULL)
RETURNS TABLE (entity_type text, entity_id text, attribute text, indicator_id text,
	indicator_unit text, source_unit text, retired bool)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'admin', 'list the feed mapping');
	RETURN QUERY SELECT m.entity_type, m.entity_id, m.attribute, m.indicator_id, i.unit_code,
		m.unit_code, i.retired_at IS NOT NULL
	FROM entity_map m JOIN indicator i ON i.id = m.indicator_id
	WHERE p_entity_type IS NULL OR m.entity_type = p_entity_type
	ORDER BY m.entity_type, m.entity_id, m.attribute;
END
$$;

-- ------------------------------------------------------------------------
-- What ingest could not map: noted (rate-limited by ingest), listed.
CREATE OR REPLACE FUNCTION cityops.feed_unmapped_note(p_entity_type text, p_entity_id text,
	p_attribute text, p_unit text, p_seen int)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'officer', 'note unmapped feed data');
	PERFORM check_length('entity type', p_entity_type, 256);
	PERFORM check_length('entity id', p_entity_id, 256);
	PERFORM check_length('attribute', p_attribute, 256);
	INSERT INTO feed_unmapped AS u (entity_type, entity_id, attribute, unit_code, seen)
		VALUES (p_entity_type, p_entity_id, p_attribute, left(p_unit, 16),
			greatest(coalesce(p_seen, 1), 1))
		ON CONFLICT (entity_type, entity_id, attribute) DO UPDATE
		SET last_seen = cityops.now(), seen = u.seen + EXCLUDED.seen,
			unit_code = coalesce(EXCLUDED.unit_code, u.unit_code);
END
$$;

CREATE OR REPLACE FUNCTION cityops.feed_unmapped()
RETURNS TABLE (entity_type text, entity_id text, attribute text, unit_code text,
	seen bigint, first_seen timestamptz, last_seen timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'admin', 'list unmapped feed data');
	RETURN QUERY SELECT u.entity_type, u.entity_id, u.attribute, u.unit_code, u.seen,
		u.first_seen, u.last_seen
	FROM feed_unmapped u ORDER BY u.last_seen DESC, u.entity_type, u.entity_id, u.attribute
	LIMIT 500;
END
$$;

-- Conflicting readings (ingest_inbox notes them): one indicator, one time,
-- two values from its sources; the first stored is kept. Admins of the
-- indicator's region list them to find the source that disagrees.
CREATE OR REPLACE FUNCTION cityops.feed_conflicts(p_indicator text DEFAULT NULL)
RETURNS TABLE (indicator_id text, name text, at timestamptz, value numeric, kept numeric,
	seen bigint, first_seen timestamptz, last_seen timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
BEGIN
	PERFORM require_role(me, 'admin', 'list conflicting readings');
	RETURN QUERY SELECT c.indicator_id, i.name, c.at, c.value, c.kept, c.seen,
		c.first_seen, c.last_seen
	FROM reading_conflict c JOIN indicator i ON i.id = c.indicator_id
	WHERE (p_indicator IS NULL OR c.indicator_id = p_indicator)
		AND i.region_path <@ me.scope_path
	ORDER BY c.last_seen DESC, c.indicator_id, c.at, c.value
	LIMIT 500;
END
$$;

-- ------------------------------------------------------------------------
-- Where a point lies. The city's bounds are the city region's extent (or,
-- without one, the union of every extent). Inside: the deepest region
-- whose extent contains the point, the nearest centroid among equals.
-- Outside, but inside with latitude and longitude swapped: swapped.
-- Otherwise region NULL: out of area. Never snapped.
CREATE OR REPLACE FUNCTION cityops.region_at(p_lat float8, p_lon float8)
RETURNS TABLE (region_code text, lat float8, lon float8, swapped bool)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_lat float8 := p_lat;
	v_lon float8 := p_lon;
	v_swapped bool := false;
	v_code text;
BEGIN
	IF p_lat IS NULL OR p_lon IS NULL THEN
		RETURN;
	END IF;
	IF NOT region_in_city(p_lat, p_lon) THEN
		IF region_in_city(p_lon, p_lat) THEN
			v_lat := p_lon;
			v_lon := p_lat;
			v_swapped := true;
		ELSE
			RETURN QUERY SELECT NULL::text, p_lat, p_lon, false;
			RETURN;
		END IF;
	END IF;
	SELECT r.code INTO v_code FROM region r
		WHERE r.extent IS NOT NULL AND r.extent @> point(v_lon, v_lat)
		ORDER BY nlevel(r.path) DESC,
			(coalesce(r.lat, v_lat) - v_lat) ^ 2 + (coalesce(r.lon, v_lon) - v_lon) ^ 2, r.code
		LIMIT 1;
	RETURN QUERY SELECT v_code, v_lat, v_lon, v_swapped;
END
$$;

CREATE OR REPLACE FUNCTION cityops.region_in_city(p_lat float8, p_lon float8) RETURNS bool
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT CASE WHEN EXISTS (SELECT 1 FROM region WHERE level = 'city' AND extent IS NOT NULL)
		THEN EXISTS (SELECT 1 FROM region WHERE level = 'city' AND extent @> point(p_lon, p_lat))
		ELSE EXISTS (SELECT 1 FROM region WHERE extent @> point(p_lon, p_lat)) END
$$;

-- The extents as ingest and the console judge a located reading before
-- storing it (console/feed/feed-place.c follows region_at: city bounds,
-- swapped order, deepest containing region): one row per vertex in ring
-- order, regions by code. Reference data, no role check.
CREATE OR REPLACE FUNCTION cityops.feed_region_extents()
RETURNS TABLE (code text, depth int, city bool, vertex bigint, lat float8, lon float8)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT r.code, nlevel(r.path), r.level = 'city', v.n, v.m[2]::float8, v.m[1]::float8
	FROM region r,
		regexp_matches(r.extent::text, '\(([^(),]+),([^(),]+)\)', 'g') WITH ORDINALITY v(m, n)
	WHERE r.extent IS NOT NULL
	ORDER BY r.code, v.n
$$;

-- The unit of every live indicator, for native readings that name theirs
-- (`u`): converted to the indicator's unit or refused unit_mismatch.
CREATE OR REPLACE FUNCTION cityops.feed_indicator_units()
RETURNS TABLE (indicator_id text, unit_code text)
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT i.id, i.unit_code FROM indicator i
	WHERE i.retired_at IS NULL AND i.unit_code IS NOT NULL ORDER BY i.id
$$;

-- A source's own category word (FIWARE Alert, Open311 service) → ours.
CREATE OR REPLACE FUNCTION cityops.source_category_of(p_source text, p_keys text[])
RETURNS text
LANGUAGE sql STABLE SET search_path = cityops, public, pg_temp
AS $$
	SELECT s.category FROM unnest(p_keys) WITH ORDINALITY k(key, n)
	JOIN source_category s ON s.source = p_source AND s.key = lower(btrim(k.key))
	ORDER BY k.n LIMIT 1
$$;

-- ------------------------------------------------------------------------
-- region import: a GeoJSON FeatureCollection, each feature's properties
-- {code, name, parent, level[, short_name]} and a Polygon or MultiPolygon
-- geometry (the outer ring of the first polygon is the extent). Parents
-- first or not: features are applied parents before children. An
-- existing region gets the new extent (and name); a new one is added.
CREATE OR REPLACE FUNCTION cityops.region_import(p_geojson jsonb)
RETURNS TABLE (code text, action text, level text, parent_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	f record;
	v_ring jsonb;
	v_poly polygon;
	v_pts text;
	v_n int := 0;
	v_left int;
	v_pass int := 0;
BEGIN
	PERFORM require_role(me, 'admin', 'import regions');
	IF jsonb_typeof(p_geojson) <> 'object' OR p_geojson->>'type' <> 'FeatureCollection'
			OR jsonb_typeof(p_geojson->'features') <> 'array' THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'region import needs a GeoJSON FeatureCollection';
	END IF;
	CREATE TEMP TABLE IF NOT EXISTS region_import_todo (ord int, code text, name text,
		parent text, lvl text, ring jsonb) ON COMMIT DROP;
	DELETE FROM region_import_todo;
	INSERT INTO region_import_todo
	SELECT n, x->'properties'->>'code', x->'properties'->>'name', x->'properties'->>'parent',
		coalesce(x->'properties'->>'level', 'street'),
		CASE x->'geometry'->>'type'
			WHEN 'Polygon' THEN x->'geometry'->'coordinates'->0
			WHEN 'MultiPolygon' THEN x->'geometry'->'coordinates'->0->0 END
	FROM jsonb_array_elements(p_geojson->'features') WITH ORDINALITY a(x, n);
	FOR f IN SELECT * FROM region_import_todo ORDER BY ord LOOP
		IF f.code IS NULL OR f.code !~ '^[0-9A-Za-z-]{2,32}$' THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = format('feature %s: properties.code is missing or not a region code', f.ord);
		END IF;
		IF f.ring IS NULL OR jsonb_typeof(f.ring) <> 'array' OR jsonb_array_length(f.ring) < 4 THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = format('region %s: geometry must be a Polygon or MultiPolygon', f.code);
		END IF;
		IF EXISTS (SELECT 1 FROM jsonb_array_elements(f.ring) p
				WHERE jsonb_typeof(p->0) <> 'number' OR jsonb_typeof(p->1) <> 'number'
					OR abs((p->>0)::float8) > 180 OR abs((p->>1)::float8) > 90) THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = format('region %s: coordinates must be [longitude, latitude] in WGS84', f.code);
		END IF;
		PERFORM check_one_of('level', f.lvl, ARRAY['district', 'street', 'grid', 'community']);
	END LOOP;
	-- Parents before children, whatever the file's order.
	LOOP
		v_left := 0;
		FOR f IN SELECT * FROM region_import_todo ORDER BY ord LOOP
			IF EXISTS (SELECT 1 FROM region r WHERE r.code = f.code) THEN
				SELECT string_agg(format('(%s,%s)', p->>0, p->>1), ',') INTO v_pts
					FROM jsonb_array_elements(f.ring) p;
				v_poly := polygon(v_pts);
				UPDATE region r SET extent = v_poly, name = coalesce(f.name, r.name)
					WHERE r.code = f.code;
				RETURN QUERY SELECT f.code, 'updated'::text, f.lvl, f.parent;
				DELETE FROM region_import_todo t WHERE t.ord = f.ord;
				v_n := v_n + 1;
			ELSIF EXISTS (SELECT 1 FROM region r WHERE r.code = f.parent) THEN
				SELECT string_agg(format('(%s,%s)', p->>0, p->>1), ',') INTO v_pts
					FROM jsonb_array_elements(f.ring) p;
				v_poly := polygon(v_pts);
				PERFORM require_text(f.name, format('region %s needs properties.name', f.code));
				INSERT INTO region (code, parent_code, name, level, lat, lon, extent)
				VALUES (f.code, f.parent, f.name, f.lvl,
					(SELECT avg((p->>1)::float8) FROM jsonb_array_elements(f.ring) p),
					(SELECT avg((p->>0)::float8) FROM jsonb_array_elements(f.ring) p),
					v_poly);
				RETURN QUERY SELECT f.code, 'added'::text, f.lvl, f.parent;
				DELETE FROM region_import_todo t WHERE t.ord = f.ord;
				v_n := v_n + 1;
			ELSE
				v_left := v_left + 1;
			END IF;
		END LOOP;
		EXIT WHEN v_left = 0;
		v_pass := v_pass + 1;
		IF v_pass > 8 THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = format('region import: no parent for %s',
					(SELECT string_agg(t.code || ' (parent ' || coalesce(t.parent, 'none') || ')', ', ')
					 FROM region_import_todo t));
		END IF;
	END LOOP;
	PERFORM audit_log('region.import', NULL, jsonb_build_object('regions', v_n));
	PERFORM catalogue_notify('region', NULL);
END
$$;

-- ------------------------------------------------------------------------
-- A source's later word on an incident it raised: a CAP Update or Cancel
-- of the referenced alert, an Open311 status change. One timeline row
-- each (a note naming what the source said); a withdrawal resolves the
-- incident where an officer may (on scene), else the note asks the desk to
-- close or cancel it. p_message as in feed_incident: a replay after an
-- ingest restart changes nothing. No open incident with the key: no row.
CREATE OR REPLACE FUNCTION cityops.feed_incident_update(p_dedup_key text, p_kind text,
	p_note text, p_exercise bool, p_message text)
RETURNS TABLE (ref text, action text, to_state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_inc incident;
	v_fresh bool;
	v_act text := 'note';
	v_to text;
BEGIN
	PERFORM require_role(me, 'officer', 'update an incident from a feed');
	PERFORM check_one_of('kind', p_kind, ARRAY['update', 'withdraw']);
	SELECT * INTO v_inc FROM incident i
		WHERE i.dedup_key = p_dedup_key AND i.is_open AND i.exercise = coalesce(p_exercise, false)
			AND i.region_path <@ me.scope_path
		ORDER BY i.id DESC LIMIT 1;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF p_message IS NOT NULL THEN
		INSERT INTO feed_report (digest, dedup_key, incident_ref)
			VALUES (md5(jsonb_build_array('update', p_message, p_kind, p_dedup_key, p_note)::text),
				p_dedup_key, v_inc.ref)
			ON CONFLICT (digest) DO NOTHING RETURNING true INTO v_fresh;
		IF NOT coalesce(v_fresh, false) THEN
			RETURN QUERY SELECT v_inc.ref, 'replayed'::text, v_inc.state;
			RETURN;
		END IF;
	END IF;
	IF p_kind = 'withdraw' AND EXISTS (SELECT 1 FROM transition t
			WHERE t.action = 'resolve' AND t.from_state = v_inc.state) THEN
		v_act := 'resolve';
	END IF;
	SELECT a.to_state INTO v_to FROM incident_act(v_inc.ref, v_act,
		left(p_note || CASE WHEN p_kind = 'withdraw' AND v_act = 'note'
			THEN '（来源已撤销/关闭，请核实后结案或撤销）' ELSE '' END, 2000)) a;
	RETURN QUERY SELECT v_inc.ref, v_act, v_to;
END
$$;

-- PostgreSQL lets PUBLIC execute every new function; operators reach the
-- API through cityops_user and nobody else may. Asserted at the end of
-- every file in sql/functions/ (docs/sql-api.md, tests/db/catalogue.sql).
-- ------------------------------------------------------------------------
-- CAP Update: the incident raised from the referenced alert takes the
-- update's priority (from its severity; its SLA deadlines recomputed for
-- it), area (areaDesc and centre point)
-- and expiry; one timeline row per field that changed, none when nothing
-- did. The region stays: the desk it was routed to moves it if the new
-- area is another district's (the area row says so). Replay-safe by
-- p_message, like feed_incident_update. Cancel is feed_incident_update's
-- 'withdraw': resolved where the state allows, else a note asking the desk.
CREATE OR REPLACE FUNCTION cityops.feed_incident_revise(p_dedup_key text, p_exercise bool,
	p_priority int, p_area text, p_lat float8, p_lon float8, p_expires timestamptz,
	p_message text)
RETURNS TABLE (ref text, field text, old_value text, new_value text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_inc incident;
	v_fresh bool;
	v_area text := nullif(btrim(p_area), '');
	v_where text;
	v_sla sla_policy;
BEGIN
	PERFORM require_role(me, 'officer', 'update an incident from a feed');
	IF p_priority IS NOT NULL AND p_priority NOT BETWEEN 1 AND 4 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('priority %s is not 1 to 4', p_priority);
	END IF;
	PERFORM check_length('area', v_area, 500);
	SELECT * INTO v_inc FROM incident i
		WHERE i.dedup_key = p_dedup_key AND i.is_open AND i.exercise = coalesce(p_exercise, false)
			AND i.region_path <@ me.scope_path
		ORDER BY i.id DESC LIMIT 1 FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF p_message IS NOT NULL THEN
		INSERT INTO feed_report (digest, dedup_key, incident_ref)
			VALUES (md5(jsonb_build_array('revise', p_message, p_dedup_key, p_priority, v_area,
				p_lat, p_lon, p_expires)::text), p_dedup_key, v_inc.ref)
			ON CONFLICT (digest) DO NOTHING RETURNING true INTO v_fresh;
		IF NOT coalesce(v_fresh, false) THEN
			RETURN;
		END IF;
	END IF;
	IF p_priority IS NOT NULL AND p_priority <> v_inc.priority THEN
		-- The deadlines follow the new priority: the policy in force now
		-- (sla_for, the mode's factor included), counted from the
		-- incident's creation, so an upgrade may make it overdue at once.
		v_sla := sla_for(v_inc.category_code, p_priority);
		UPDATE incident i SET priority = p_priority, updated_at = cityops.now(),
			ack_due = i.created_at + v_sla.ack, dispatch_due = i.created_at + v_sla.dispatch,
			arrive_due = i.created_at + v_sla.arrive, close_due = i.created_at + v_sla.close,
			sla_due = CASE i.sla_stage WHEN 'ack' THEN i.created_at + v_sla.ack
				WHEN 'dispatch' THEN i.created_at + v_sla.dispatch
				WHEN 'arrive' THEN i.created_at + v_sla.arrive
				WHEN 'close' THEN i.created_at + v_sla.close END
			WHERE i.id = v_inc.id;
		PERFORM event_log(v_inc, 'source_update', v_inc.state, v_inc.state, NULL,
			format('来源更新 优先级 priority %s → %s，时限按新优先级重算 (SLA deadlines recomputed)',
				v_inc.priority, p_priority));
		RETURN QUERY SELECT v_inc.ref, 'priority'::text, v_inc.priority::text, p_priority::text;
	END IF;
	IF v_area IS NOT NULL AND v_area IS DISTINCT FROM nullif(v_inc.location, '') THEN
		SELECT CASE WHEN a.region_code IS NULL THEN '（新范围在市界外）'
			WHEN a.region_code = v_inc.region_code OR v_inc.region_path @> r.path THEN ''
			ELSE format('（新范围在 %s，请核实是否转交）', r.name) END
		INTO v_where
		FROM region_at(p_lat, p_lon) a LEFT JOIN region r ON r.code = a.region_code;
		UPDATE incident i SET location = left(v_area, 500),
			lat = coalesce(p_lat::numeric(9, 6), i.lat), lon = coalesce(p_lon::numeric(9, 6), i.lon),
			updated_at = cityops.now()
			WHERE i.id = v_inc.id;
		PERFORM event_log(v_inc, 'source_update', v_inc.state, v_inc.state, NULL,
			left(format('来源更新 范围 area %s → %s%s', nullif(v_inc.location, ''), v_area,
				coalesce(v_where, '')), 2000));
		RETURN QUERY SELECT v_inc.ref, 'area'::text, nullif(v_inc.location, ''), v_area;
	END IF;
	IF p_expires IS NOT NULL AND p_expires IS DISTINCT FROM v_inc.source_expires_at THEN
		UPDATE incident i SET source_expires_at = p_expires, updated_at = cityops.now()
			WHERE i.id = v_inc.id;
		PERFORM event_log(v_inc, 'source_update', v_inc.state, v_inc.state, NULL,
			format('来源更新 失效时间 expires %s → %s',
				coalesce(v_inc.source_expires_at::text, '—'), p_expires));
		RETURN QUERY SELECT v_inc.ref, 'expires'::text, v_inc.source_expires_at::text,
			p_expires::text;
	END IF;
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cityops TO cityops_user;
