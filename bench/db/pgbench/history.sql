-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 24 h history of a random bench indicator n = k * stride + first.
-- -D nk=… -D stride=… -D first=…
\set k random(0, :nk)
SELECT * FROM cityops.indicator_history('bench.i' || lpad((:k * :stride + :first)::text, 5, '0'), 24);
