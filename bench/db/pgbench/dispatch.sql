-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- One dispatcher's cycle: a 119 call is raised in a random district, the
-- dispatcher sends this client's own engine (BENCH-F001 …, so units never
-- run out and clients never fight over one), it arrives and the case is
-- resolved, which releases the unit. Each call is its own transaction.
\set d random(1, 16)
\set u :client_id + 1
SELECT ref AS r FROM cityops.incident_raise('fire', 2, (ARRAY['310101', '310104', '310105', '310106', '310107', '310109', '310110', '310112', '310113', '310114', '310115', '310116', '310117', '310118', '310120', '310151'])[:d], '压测派单 火情', '', '', '119', NULL, false) \gset
SELECT to_state FROM cityops.incident_act(':r', 'dispatch', NULL, ARRAY['BENCH-F' || lpad(':u', 3, '0')]);
SELECT to_state FROM cityops.incident_act(':r', 'arrive', NULL, NULL);
SELECT to_state FROM cityops.incident_act(':r', 'resolve', NULL, NULL);
