/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* Formatting of values for people: durations, SLA countdowns, times. */
#ifndef CITYOPS_FORMAT_H
#define CITYOPS_FORMAT_H

#include <stddef.h>

/* "45s", "12m", "2h05m", "3d04h"; negative durations get a leading '-'. */
void format_duration(long long secs, char *out, size_t outsz);

/* SLA time left: "12m" while running, "超时 12m" once breached. */
void format_sla(long long left_secs, char *out, size_t outsz);

/*
 * A PostgreSQL timestamp ("2026-11-21 19:40:12.345+08") shown as
 * "11-21 19:40"; anything unparsable is copied through.
 */
void format_time(const char *pg, char *out, size_t outsz);

/*
 * A PostgreSQL timestamptz ("2026-11-21 19:40:12.345+08", "… -03:30") as
 * ISO 8601 with its offset: "2026-11-21T19:40:12.345+08:00". Anything
 * else (infinity, a date style other than ISO) is copied through.
 */
void format_iso8601(const char *pg, char *out, size_t outsz);

/* Copies s into out padded with spaces (or cut) to exactly cols columns. */
void format_pad(const char *s, int cols, int right_align, char *out,
                size_t outsz);

/*
 * Draws values as a sparkline of block characters (▁…█), the last cols
 * values when there are more, scaled between their minimum and maximum.
 */
void format_sparkline(const double *v, int n, int cols, char *out,
                      size_t outsz);

#endif
