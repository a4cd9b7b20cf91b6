/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The reports view's model (issue 15), apart from the screen: which period
 * a key picks, in the console's zone (TZ, set from the config's
 * "timezone" by clock.c), which grouping, and the order of the rows of a
 * `report period` table under a chosen column and direction. Pure: no
 * curses, no database; tests/unit/test-report-model.c drives it.
 */
#ifndef CITYOPS_REPORT_MODEL_H
#define CITYOPS_REPORT_MODEL_H

#include <time.h>

struct db_table;

enum report_span {
	SPAN_SHIFT, /* the last twelve hours, to now */
	SPAN_TODAY, /* local midnight to the next */
	SPAN_WEEK,  /* the seven days ending with today */
	SPAN_MONTH, /* the first of this month to the first of the next */
	SPAN_CUSTOM,
	SPAN_COUNT
};

/* Spans and groupings by the names commands take, and as the screen shows
 * them (the same index). */
extern const char *const report_span_names[SPAN_COUNT];
extern const char *const report_span_labels[SPAN_COUNT];
#define REPORT_NGROUPINGS 5
extern const char *const report_groupings[REPORT_NGROUPINGS];
extern const char *const report_grouping_labels[REPORT_NGROUPINGS];

/* The period [from, to) for span at now, as ISO 8601 with the zone's
 * offset ("2026-11-01T00:00:00+08:00"); 0, or -1 for SPAN_CUSTOM. */
int report_span_range(enum report_span span, time_t now, char *from, char *to,
                      size_t size);

/* The grouping's index in report_groupings, or -1. */
int report_grouping_index(const char *by);

/* Fills order[0..t->nrows) with the row indexes of t sorted by column col
 * (numbers as numbers, NULL lowest, text by bytes), descending when desc,
 * ties by the group's name; the total row (grp_code NULL) stays last. */
void report_sort(const struct db_table *t, const char *col, int desc,
                 int *order);

#endif
