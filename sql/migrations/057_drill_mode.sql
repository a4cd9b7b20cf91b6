-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 057_drill_mode: a drill's own peace/emergency mode (issue 14).
--
-- A drill may rehearse switching to an emergency level, but only for its
-- exercise scope. Its switches go to this table, never to cityops.mode:
-- the real mode table still refuses every insert from a drill session
-- (drill_mode_guard, sql/functions/60_drills.sql), so nothing a drill file
-- or a hostile login in a drill session says can change the real mode.
-- The drill's own sessions (cityops.drill set to the run) read the
-- drill's latest row as the mode in force (mode_now(),
-- sql/functions/78_drill_mode.sql); every other session reads the real
-- mode. The rows go with their run (drill clear deletes the run).
CREATE TABLE cityops.drill_mode (
	id        bigserial PRIMARY KEY,
	drill_run bigint NOT NULL REFERENCES cityops.drill_run ON DELETE CASCADE,
	mode      text NOT NULL CHECK (mode IN ('peace', 'emergency')),
	level     text CHECK (level IN ('I', 'II', 'III', 'IV')),
	kind      text,
	reason    text NOT NULL,
	set_by    name NOT NULL,
	set_at    timestamptz NOT NULL,
	CHECK ((mode = 'peace') = (level IS NULL)),
	CHECK (mode = 'peace' OR kind IS NOT NULL)
);
CREATE INDEX drill_mode_run ON cityops.drill_mode (drill_run, id DESC);
GRANT SELECT ON cityops.drill_mode TO cityops_user;
