-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 051_mode_policy: what an emergency mode changes on the desk (issue 14).
--
-- Per emergency kind and level, a factor on the SLA deadlines of incidents
-- raised while the mode is in force (sql/functions/40_writes.sql,
-- sla_for: a factor of 0.5 halves every deadline; open incidents keep
-- the deadlines they were raised with, so that an officer's countdown
-- never jumps), the escalation policy in force (migration 050), and the
-- categories the desk puts first: indicator categories in the vital signs
-- and incident categories in the queue, in order.
CREATE TABLE cityops.mode_policy (
	kind              text NOT NULL,
	level             text NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
	sla_factor        numeric NOT NULL CHECK (sla_factor > 0 AND sla_factor <= 1),
	escalation_policy text NOT NULL DEFAULT 'peace',
	vitals_first      text[] NOT NULL DEFAULT '{}',
	incidents_first   text[] NOT NULL DEFAULT '{}',
	PRIMARY KEY (kind, level)
);

-- 防汛防台 (flood and typhoon): IV the mildest, I the highest.
INSERT INTO cityops.mode_policy (kind, level, sla_factor, escalation_policy, vitals_first,
	incidents_first) VALUES
	('防汛防台', 'IV',  0.9,  'peace',        '{weather,water}', '{flood,typhoon}'),
	('防汛防台', 'III', 0.75, 'flood-typhoon', '{weather,water}', '{flood,typhoon}'),
	('防汛防台', 'II',  0.6,  'flood-typhoon', '{weather,water}', '{flood,typhoon,power}'),
	('防汛防台', 'I',   0.5,  'flood-typhoon', '{weather,water}', '{flood,typhoon,power,traffic}');

-- The flood-and-typhoon escalation policy: every step sooner than in peace.
INSERT INTO cityops.escalation_policy (policy, category_code, priority, step, after) VALUES
	('flood-typhoon', '*', 1, 1, '0'), ('flood-typhoon', '*', 1, 2, '5 minutes'),
	('flood-typhoon', '*', 1, 3, '15 minutes'),
	('flood-typhoon', '*', 2, 1, '0'), ('flood-typhoon', '*', 2, 2, '15 minutes'),
	('flood-typhoon', '*', 2, 3, '1 hour'),
	('flood-typhoon', '*', 3, 1, '0'), ('flood-typhoon', '*', 3, 2, '1 hour'),
	('flood-typhoon', '*', 3, 3, '6 hours'),
	('flood-typhoon', '*', 4, 1, '0'), ('flood-typhoon', '*', 4, 2, '6 hours'),
	('flood-typhoon', '*', 4, 3, '1 day');
