-- 012_vitals_catalogue: vitals() also returns each indicator's staleness
-- limit and hysteresis, so that the console, which judges live feed values
-- itself, marks one quiet sensor stale and applies the same hysteresis as
-- the database does. The columns are added at the end; callers that read
-- by name are unaffected.

DROP FUNCTION cityops.vitals(text, text, int);
CREATE FUNCTION cityops.vitals(p_region text DEFAULT NULL, p_category text DEFAULT NULL,
	p_limit int DEFAULT 200)
RETURNS TABLE (indicator_id text, category text, name text, region_name text, value numeric,
	unit text, state text, at timestamptz, warn numeric, alarm numeric, stale_s int,
	hysteresis numeric)
LANGUAGE plpgsql STABLE SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	v_path ltree;
	v_category text;
	v_now timestamptz := cityops.now();
BEGIN
	PERFORM caller();
	IF p_region IS NOT NULL THEN
		SELECT path INTO v_path FROM region WHERE code = region_resolve(p_region);
	END IF;
	IF p_category IS NOT NULL THEN
		v_category := indicator_category_resolve(p_category);
	END IF;
	RETURN QUERY
	SELECT i.id, c.name, i.name, r.name, i.last_value, i.uom, s.state, i.last_at,
		i.warn, i.alarm, i.stale_s, i.hysteresis
	FROM indicator i
	JOIN indicator_category c ON c.code = i.category_code
	JOIN region r ON r.code = i.region_code
	CROSS JOIN LATERAL (SELECT indicator_state(i.last_state, i.last_at, i.stale_s, v_now) AS state) s
	WHERE (v_path IS NULL OR i.region_path <@ v_path)
		AND (v_category IS NULL OR i.category_code = v_category)
		AND NOT i.exercise
	ORDER BY state_severity(s.state) DESC, c.ord, i.id
	LIMIT greatest(coalesce(p_limit, 200), 0);
END
$$;
