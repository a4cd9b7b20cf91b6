/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The display zone (include/cityops/core/zone.h). The machine's own zone
 * (a server in UTC) and a PGTZ left in the environment never decide what
 * an operator reads: the config's timezone does, else Shanghai.
 */
#include <stdlib.h>

#include "cityops/core/zone.h"

const char *
zone_apply(const char *name)
{
	const char *zone =
	    name != NULL && name[0] != '\0' ? name : ZONE_DEFAULT;

	setenv("TZ", zone, 1);
	setenv("PGTZ", zone, 1);
	tzset();
	return zone;
}

/* The callers' formats are literals, checked where they call (zone.h). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void
zone_strftime(time_t t, const char *fmt, char *out, size_t outsz)
{
	struct tm tm;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (localtime_r(&t, &tm) != NULL && strftime(out, outsz, fmt, &tm) == 0)
		out[0] = '\0';
}
#pragma GCC diagnostic pop
