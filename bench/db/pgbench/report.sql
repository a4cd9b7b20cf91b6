-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- The evaluation report (issue 15): a month by district, ending a month
-- ago (closed history). -D by="'district'".
SELECT * FROM cityops.report_period(now() - interval '60 days', now() - interval '30 days', :by);
