/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * One clock (issue 14): the console's display zone is the config's
 * "timezone", else $PGTZ, else Asia/Shanghai — whatever the machine's own
 * zone (a server in UTC). It becomes TZ for the status clock and PGTZ for
 * the database connections the console opens from here on, so the
 * database formats every table's times in the same zone.
 */
#include <stdlib.h>
#include <time.h>

#include "tui-internal.h"

void
tui_clock_zone(const struct config *c)
{
	const char *zone = c->timezone[0] ? c->timezone : getenv("PGTZ");

	if (zone == NULL || zone[0] == '\0')
		zone = "Asia/Shanghai";
	setenv("TZ", zone, 1);
	setenv("PGTZ", zone, 1);
	tzset();
}
