-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 021_incident_source_expiry: a CAP Update revises the incident raised
-- from the alert it references (issue 10): its priority, its area (the
-- location text and point) and the source's expiry, which is kept here.
-- Functions in sql/functions/55_catalogue.sql (feed_incident_revise).
ALTER TABLE cityops.incident ADD COLUMN source_expires_at timestamptz;
