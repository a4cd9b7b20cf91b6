-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- One drill-down step: the region card and its children. -D region="'310120'".
SELECT * FROM cityops.region_get(:region);
SELECT * FROM cityops.region_children(:region);
