/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The reports view's model: periods in the configured zone, row order. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "cityops/db/db.h"
#include "cityops/desk/report-model.h"

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* 2026-11-30 23:30 in Shanghai is 15:30 UTC: "today" is Shanghai's
 * 30 November, and the month ends at Shanghai's midnight of 1 December. */
static void
periods_in_shanghai(void)
{
	time_t now = 1796052600; /* 2026-11-30T15:30:00Z */
	char from[40], to[40];

	zone("Asia/Shanghai");
	CHECK_INT(report_span_range(SPAN_TODAY, now, from, to, sizeof from), 0);
	CHECK_STR(from, "2026-11-30T00:00:00+08:00");
	CHECK_STR(to, "2026-12-01T00:00:00+08:00");
	report_span_range(SPAN_WEEK, now, from, to, sizeof from);
	CHECK_STR(from, "2026-11-24T00:00:00+08:00");
	CHECK_STR(to, "2026-12-01T00:00:00+08:00");
	report_span_range(SPAN_MONTH, now, from, to, sizeof from);
	CHECK_STR(from, "2026-11-01T00:00:00+08:00");
	CHECK_STR(to, "2026-12-01T00:00:00+08:00");
	report_span_range(SPAN_SHIFT, now, from, to, sizeof from);
	CHECK_STR(from, "2026-11-30T11:30:00+08:00");
	CHECK_STR(to, "2026-11-30T23:30:00+08:00");
	CHECK_INT(report_span_range(SPAN_CUSTOM, now, from, to, sizeof from),
	          -1);
}

/* The same instant in UTC; an hour later in Shanghai (December); a week
 * over London's change to summer time keeps local midnights. */
static void
periods_follow_the_zone(void)
{
	time_t now = 1796052600;
	char from[40], to[40];

	zone("UTC");
	report_span_range(SPAN_TODAY, now, from, to, sizeof from);
	CHECK_STR(from, "2026-11-30T00:00:00+00:00");
	CHECK_STR(to, "2026-12-01T00:00:00+00:00");
	zone("Asia/Shanghai");
	report_span_range(SPAN_TODAY, now + 3600, from, to, sizeof from);
	CHECK_STR(from, "2026-12-01T00:00:00+08:00");
	report_span_range(SPAN_MONTH, now + 3600, from, to, sizeof from);
	CHECK_STR(from, "2026-12-01T00:00:00+08:00");
	CHECK_STR(to, "2027-01-01T00:00:00+08:00");
	/* a week over London's spring change: midnight stays midnight */
	zone("Europe/London");
	report_span_range(SPAN_WEEK, 1774958400 /* 2026-03-31T12:00Z */, from,
	                  to, sizeof from);
	CHECK_STR(from, "2026-03-25T00:00:00+00:00");
	CHECK_STR(to, "2026-04-01T00:00:00+01:00");
}

static char *names[] = {"grp_code", "grp", "raised", "ack_pct"};
/* 黄浦 3 raised 50%, 浦东 10 / NULL, 静安 3 / 100%, total 16 / 75% */
static char *cells[] = {
    "310101", "黄浦", "3",  "50", "310115", "浦东", "10", NULL,
    NULL,     "合计", "16", "75", "310106", "静安", "3",  "100",
};

static void
sorting(void)
{
	struct db_table t = {4, 4, names, NULL, cells, 0, ""};
	int o[4];

	report_sort(&t, "raised", 1, o);
	CHECK(o[0] == 1 && o[3] == 2); /* 浦东 first, the total last */
	CHECK(o[1] == 3 && o[2] == 0); /* ties by name: 静安 > 黄浦 bytes */
	report_sort(&t, "raised", 0, o); /* ties stay in name order */
	CHECK(o[0] == 3 && o[1] == 0 && o[2] == 1 && o[3] == 2);
	report_sort(&t, "ack_pct", 1, o); /* numbers, not text: 100 > 50 */
	CHECK(o[0] == 3 && o[1] == 0 && o[2] == 1 && o[3] == 2);
	report_sort(&t, "ack_pct", 0, o); /* NULL lowest */
	CHECK(o[0] == 1 && o[1] == 0 && o[2] == 3 && o[3] == 2);
	report_sort(&t, "grp", 0, o);
	CHECK(o[0] == 1 && o[3] == 2);
	report_sort(&t, "no_such_column", 0, o); /* by name, total last */
	CHECK(o[3] == 2);
	CHECK_INT(report_grouping_index("unit"), 4);
	CHECK_INT(report_grouping_index("weather"), -1);
}

static const struct check_case cases[] = {
    TEST(periods_in_shanghai),
    TEST(periods_follow_the_zone),
    TEST(sorting),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
