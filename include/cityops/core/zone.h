/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * One clock (issue 14): the display zone of the whole console, TUI and
 * headless alike. Every time a person reads is in it: the status clock and
 * event times (zone_strftime), and every time the database formats (PGTZ
 * for the connections opened afterwards).
 */
#ifndef CITYOPS_ZONE_H
#define CITYOPS_ZONE_H

#include <stddef.h>
#include <time.h>

/* The zone when the config names none, whatever the machine's zone. */
#define ZONE_DEFAULT "Asia/Shanghai"

/*
 * Makes name (NULL or "" = ZONE_DEFAULT) the display zone: TZ for this
 * process and PGTZ for the database connections it opens from now on.
 * Call it before connecting. Returns the zone in force (static or name).
 */
const char *zone_apply(const char *name);

/* strftime of t in the display zone into out ("" when it cannot). */
void zone_strftime(time_t t, const char *fmt, char *out, size_t outsz)
    __attribute__((format(strftime, 2, 0)));

#endif
