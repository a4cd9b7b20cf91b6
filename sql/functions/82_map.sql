-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The map pane's outline rendering (issue 15): the shapes of a region's
-- children and its open incidents as points. Shapes change only on
-- `region import`, so the console reads them once per scope; the points
-- are read again when incidents change. Both run as the caller, so
-- row-level security keeps them to the caller's scope.

-- The region's children that have an extent, each as PostgreSQL writes
-- a polygon ("((lon,lat),…)", WGS84), for console/desk/map-outline.c.
CREATE OR REPLACE FUNCTION cityops.region_outline(p_region text)
RETURNS TABLE (code text, outline text)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_code text;
BEGIN
	PERFORM caller();
	v_code := region_resolve(p_region);
	RETURN QUERY
	SELECT r.code, r.extent::text FROM region r
	WHERE r.parent_code = v_code AND r.extent IS NOT NULL
	ORDER BY r.code;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.region_outline(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.region_outline(text) TO cityops_user;

-- Open real incidents under the region that have a place, most urgent
-- and newest first, at most p_limit (a map shows points, not a list).
CREATE OR REPLACE FUNCTION cityops.incident_points(p_region text, p_limit int DEFAULT 2000)
RETURNS TABLE (lon numeric, lat numeric, priority int)
LANGUAGE plpgsql STABLE SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	v_path ltree;
BEGIN
	PERFORM caller();
	SELECT path INTO v_path FROM region WHERE code = region_resolve(p_region);
	RETURN QUERY
	SELECT i.lon, i.lat, i.priority FROM incident i
	WHERE i.is_open AND NOT i.exercise AND i.region_path <@ v_path
		AND i.lat IS NOT NULL AND i.lon IS NOT NULL
	ORDER BY i.priority, i.created_at DESC, i.id DESC
	LIMIT greatest(0, least(coalesce(p_limit, 2000), 20000));
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.incident_points(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.incident_points(text, int) TO cityops_user;
