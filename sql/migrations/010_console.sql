-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 010_console: reads the full-screen console needs that no command does.

-- Its function (open_counts) is defined once, in
-- sql/functions/70_console.sql, since issue 13 (one definition of every
-- function; docs/sql-api.md). The file stays so that a database that
-- recorded it still finds the same list.
