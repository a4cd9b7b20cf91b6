/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The reports view's model: periods in the console's zone and the row
 * order of a report table (include/cityops/desk/report-model.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/db/db.h"
#include "cityops/desk/report-model.h"

const char *const report_span_names[SPAN_COUNT] = {
    "shift", "today", "7days", "month", "custom",
};

const char *const report_span_labels[SPAN_COUNT] = {
    "本班", "今日", "近7日", "本月", "自定",
};

const char *const report_groupings[REPORT_NGROUPINGS] = {
    "district", "street", "department", "category", "unit",
};

const char *const report_grouping_labels[REPORT_NGROUPINGS] = {
    "区", "街道", "部门", "类别", "单位",
};

static void
iso(time_t at, char *out, size_t size)
{
	struct tm tm;
	char off[8];

	localtime_r(&at, &tm);
	strftime(off, sizeof off, "%z", &tm); /* +0800 */
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%.3s:%.2s",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, off, off + 3);
}

/* Local midnight of the day now falls in, moved by days (and months). */
static time_t
midnight(time_t now, int days, int months, int first)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (first)
		tm.tm_mday = 1;
	tm.tm_mday += days;
	tm.tm_mon += months;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

int
report_span_range(enum report_span span, time_t now, char *from, char *to,
                  size_t size)
{
	time_t a, b;

	switch (span) {
	case SPAN_SHIFT:
		a = now - 12 * 3600;
		b = now;
		break;
	case SPAN_TODAY:
		a = midnight(now, 0, 0, 0);
		b = midnight(now, 1, 0, 0);
		break;
	case SPAN_WEEK:
		a = midnight(now, -6, 0, 0);
		b = midnight(now, 1, 0, 0);
		break;
	case SPAN_MONTH:
		a = midnight(now, 0, 0, 1);
		b = midnight(now, 0, 1, 1);
		break;
	default:
		return -1;
	}
	iso(a, from, size);
	iso(b, to, size);
	return 0;
}

int
report_grouping_index(const char *by)
{
	for (int i = 0; by != NULL && i < REPORT_NGROUPINGS; i++)
		if (strcmp(by, report_groupings[i]) == 0)
			return i;
	return -1;
}

struct sort_ctx {
	const struct db_table *t;
	int col, name, code, desc;
};

static int
is_number(const char *s)
{
	char *end;

	if (s == NULL || *s == '\0')
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

static int
cmp_cells(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	if (is_number(a) && is_number(b)) {
		double x = strtod(a, NULL), y = strtod(b, NULL);
		return (x > y) - (x < y);
	}
	return strcmp(a, b);
}

static const char *
cell(const struct sort_ctx *c, int row, int col)
{
	return col < 0 ? NULL : c->t->cells[row * c->t->ncols + col];
}

static int
cmp_rows(const struct sort_ctx *c, int a, int b)
{
	int ta = c->code >= 0 && cell(c, a, c->code) == NULL;
	int tb = c->code >= 0 && cell(c, b, c->code) == NULL;
	int r;

	if (ta != tb)
		return ta - tb; /* the total last, whatever the direction */
	r = cmp_cells(cell(c, a, c->col), cell(c, b, c->col));
	if (c->desc)
		r = -r;
	if (r == 0)
		r = cmp_cells(cell(c, a, c->name), cell(c, b, c->name));
	return r != 0 ? r : a - b;
}

static int
column(const struct db_table *t, const char *name)
{
	for (int i = 0; name != NULL && i < t->ncols; i++)
		if (strcmp(t->names[i], name) == 0)
			return i;
	return -1;
}

void
report_sort(const struct db_table *t, const char *col, int desc, int *order)
{
	struct sort_ctx c = {t, column(t, col), column(t, "grp"),
	                     column(t, "grp_code"), desc};

	for (int i = 0; i < t->nrows; i++)
		order[i] = i;
	/* insertion sort: a report has tens of rows, and it is stable */
	for (int i = 1; i < t->nrows; i++) {
		int v = order[i], j = i - 1;
		while (j >= 0 && cmp_rows(&c, order[j], v) > 0) {
			order[j + 1] = order[j];
			j--;
		}
		order[j + 1] = v;
	}
}
