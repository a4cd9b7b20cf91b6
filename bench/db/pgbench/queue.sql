-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- First queue page as the console asks for it. -D region=NULL or "'310120'".
SELECT * FROM cityops.queue(NULL, :region, NULL, NULL, false, false, 50);
