-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The map pane's tiles for the city (issue 15).
SELECT * FROM cityops.region_map('310000');
