-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- An incident card: details, then its timeline. -D lo=… -D hi=… (ids)
\set id random(:lo, :hi)
SELECT * FROM cityops.incident_get(:id::text);
SELECT * FROM cityops.incident_timeline(:id::text);
