-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 076_search_district: the newest incidents of one district, in order
-- (issue 14's find for a district or street officer).
--
-- search_ids answers a text found often from the newest rows of the
-- caller's scope, walked in created_at order. For the city that walk is
-- incident_search_newest; for a district there was none, so a common
-- text (路, 压测) went to the GIN index, which found every match in the
-- city (up to all 1 M) and sorted the district's: p99 2.3 s for a
-- district officer at 1 M incidents (bench/db-bench, 2026-12-02). This
-- index walks one district newest first; a street's scope walks its
-- district and keeps its own rows. The expression is the first two labels
-- of the path (city.district), or the path itself above a district.
CREATE INDEX incident_search_district_newest ON cityops.incident_search
	(exercise, subltree(region_path, 0, least(nlevel(region_path), 2)),
	 created_at DESC, incident_id DESC);
