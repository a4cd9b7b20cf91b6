/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * One clock (issue 14): the console's display zone is the config's
 * "timezone", else Asia/Shanghai — whatever the machine's own zone (a
 * server in UTC) or a PGTZ in the environment. zone_apply makes it TZ for
 * the status clock and PGTZ for the database connections the console
 * opens from here on, so the database formats every table's times in the
 * same zone. Headless runs do the same (main.c).
 */
#include "cityops/core/zone.h"
#include "tui-internal.h"

void
tui_clock_zone(const struct config *c)
{
	zone_apply(c->timezone);
}
