/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/core/format.h"
#include "cityops/core/util.h"

static void
durations(void)
{
	char out[32];

	format_duration(45, out, sizeof out);
	CHECK_STR(out, "45s");
	format_duration(12 * 60 + 5, out, sizeof out);
	CHECK_STR(out, "12m");
	format_duration(2 * 3600 + 5 * 60, out, sizeof out);
	CHECK_STR(out, "2h05m");
	format_duration(3 * 86400 + 4 * 3600, out, sizeof out);
	CHECK_STR(out, "3d04h");
	format_duration(-90, out, sizeof out);
	CHECK_STR(out, "-1m");
}

static void
sla_breached_says_so(void)
{
	char out[32];

	format_sla(600, out, sizeof out);
	CHECK_STR(out, "10m");
	format_sla(-720, out, sizeof out);
	CHECK_STR(out, "超时 12m");
}

static void
times(void)
{
	char out[32];

	format_time("2026-11-21 19:40:12.345+08", out, sizeof out);
	CHECK_STR(out, "11-21 19:40");
	format_time("garbage", out, sizeof out);
	CHECK_STR(out, "garbage");
}

/* JSON times (issue 14): ISO 8601 with the offset in hours and minutes. */
static void
iso8601_times(void)
{
	char out[64], small[16];

	format_iso8601("2026-11-21 19:40:12.345+08", out, sizeof out);
	CHECK_STR(out, "2026-11-21T19:40:12.345+08:00");
	format_iso8601("2026-11-21 06:40:12-05", out, sizeof out);
	CHECK_STR(out, "2026-11-21T06:40:12-05:00");
	format_iso8601("2026-11-21 17:10:12+05:30", out, sizeof out);
	CHECK_STR(out, "2026-11-21T17:10:12+05:30");
	format_iso8601("infinity", out, sizeof out);
	CHECK_STR(out, "infinity");
	format_iso8601("2026-11-21 19:40:12", out, sizeof out);
	CHECK_STR(out, "2026-11-21 19:40:12");
	format_iso8601("2026-11-21 19:40:12.345+08", small, sizeof small);
	CHECK_STR(small, "2026-11-21 19:4");
}

static void
padding_by_display_width(void)
{
	char out[64];

	format_pad("奉贤", 6, 0, out, sizeof out);
	CHECK_STR(out, "奉贤  ");
	format_pad("12", 4, 1, out, sizeof out);
	CHECK_STR(out, "  12");
	format_pad("奉贤区南桥镇", 7, 0, out, sizeof out);
	CHECK_STR(out, "奉贤区…");
	format_pad("abcdef", 4, 0, out, sizeof out);
	CHECK_STR(out, "abc…");
}

static void
sparkline_scales(void)
{
	double v[] = {0, 1, 2, 3, 4, 5, 6, 7};
	double flat[] = {5, 5, 5};
	char out[128];

	format_sparkline(v, 8, 60, out, sizeof out);
	CHECK_STR(out, "▁▂▃▄▅▆▇█");
	format_sparkline(v, 8, 2, out, sizeof out);
	CHECK_STR(out, "▁█");
	format_sparkline(flat, 3, 10, out, sizeof out);
	CHECK_STR(out, "▄▄▄");
	format_sparkline(v, 0, 10, out, sizeof out);
	CHECK_STR(out, "");
}

static void
json_strings_are_safe(void)
{
	struct buf b = {0};

	buf_add_json_string(&b, "a\"b\\c\nd\x1b[0m\xc2\x9b\xe2\x80\xae\xff");
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\nd\\u001b[0m\\u009b\\u202e\\ufffd\"");
	buf_free(&b);
}

static const struct check_case cases[] = {
    TEST(durations),
    TEST(sla_breached_says_so),
    TEST(times),
    TEST(iso8601_times),
    TEST(padding_by_display_width),
    TEST(sparkline_scales),
    TEST(json_strings_are_safe),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
