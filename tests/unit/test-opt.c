/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cityops/core/opt.h"

static const struct option longopts[] = {
    {"rate", required_argument, NULL, 'r'},
    {"seconds", required_argument, NULL, 's'},
    {"feed", required_argument, NULL, 'F'},
    {NULL, 0, NULL, 0},
};
static int usage_stdout, usage_stderr;

static void
usage(FILE *f)
{
	if (f == stdout)
		usage_stdout++;
	else
		usage_stderr++;
}

static const struct opt_parser p = {"cityops feed-sim", longopts, "r:s:h",
                                    usage};

/* What the helpers print goes to stderr; these catch it in a file. */
static FILE *caught;
static int saved_fd = -1;

static void
catch_stderr(void)
{
	fflush(stderr);
	caught = tmpfile();
	saved_fd = dup(2);
	dup2(fileno(caught), 2);
}

static const char *
caught_text(void)
{
	static char text[512];
	size_t n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	rewind(caught);
	n = fread(text, 1, sizeof text - 1, caught);
	text[n] = '\0';
	fclose(caught);
	return text;
}

static void
whole_numbers_in_range(void)
{
	long long v = 7;

	CHECK_INT(opt_parse_int("1", 1, 100000, &v), 0);
	CHECK_INT(v, 1);
	CHECK_INT(opt_parse_int("100000", 1, 100000, &v), 0);
	CHECK_INT(v, 100000);
	CHECK_INT(opt_parse_int("-3", -5, 5, &v), 0);
	CHECK_INT(v, -3);
	v = 7;
	CHECK_INT(opt_parse_int("0", 1, 100000, &v), -1);
	CHECK_INT(opt_parse_int("100001", 1, 100000, &v), -1);
	CHECK_INT(opt_parse_int("", 0, 10, &v), -1);
	CHECK_INT(opt_parse_int("5 ", 0, 10, &v), -1);
	CHECK_INT(opt_parse_int("1e3", 0, 10000, &v), -1);
	CHECK_INT(opt_parse_int("x", 0, 10, &v), -1);
	CHECK_INT(opt_parse_int("99999999999999999999", 0, LLONG_MAX, &v), -1);
	CHECK_INT(v, 7); /* untouched on failure */
}

static void
numbers_in_range(void)
{
	double d = 7;

	CHECK_INT(opt_parse_double("0.5", 0, 1, &d), 0);
	CHECK(d == 0.5);
	CHECK_INT(opt_parse_double("1e3", 0, 1e9, &d), 0);
	CHECK(d == 1000);
	d = 7;
	CHECK_INT(opt_parse_double("-0.1", 0, 1, &d), -1);
	CHECK_INT(opt_parse_double("inf", 0, 1e300, &d), -1);
	CHECK_INT(opt_parse_double("nan", 0, 1, &d), -1);
	CHECK_INT(opt_parse_double("", 0, 1, &d), -1);
	CHECK_INT(opt_parse_double("1x", 0, 10, &d), -1);
	CHECK(d == 7);
}

static void
errors_name_the_option_and_range(void)
{
	long long v;
	double d;

	catch_stderr();
	CHECK_INT(opt_int(&p, 'r', "x", 1, 100000, &v), -1);
	CHECK_STR(caught_text(), "cityops feed-sim: --rate: not a whole number "
	                         "from 1 to 100000: 'x'\n");
	catch_stderr();
	CHECK_INT(opt_int(&p, 'r', "-1", 0, LLONG_MAX, &v), -1);
	CHECK_STR(caught_text(), "cityops feed-sim: --rate: not a whole number "
	                         "of at least 0: '-1'\n");
	catch_stderr();
	CHECK_INT(opt_double(&p, 's', "0", 0.001, 1e9, &d), -1);
	CHECK_STR(caught_text(), "cityops feed-sim: --seconds: not a number "
	                         "from 0.001 to 1e+09: '0'\n");
	catch_stderr();
	CHECK_INT(opt_error(&p, 'c', "a", "not known"), -1);
	CHECK_STR(caught_text(), "cityops feed-sim: -c: not known: 'a'\n");
	catch_stderr();
	CHECK_INT(opt_int(&p, 'r', "20", 1, 100, &v), 0);
	CHECK_INT(opt_double(&p, 's', "2.5", 0.001, 1e9, &d), 0);
	CHECK_STR(caught_text(), "");
	CHECK_INT(v, 20);
	CHECK(d == 2.5);
}

static void
repeated_options_up_to_a_bound(void)
{
	const char *list[2];
	int n = 0;

	catch_stderr();
	CHECK_INT(opt_append(&p, 'F', list, &n, 2, "ws://a"), 0);
	CHECK_INT(opt_append(&p, 'F', list, &n, 2, "ws://b"), 0);
	CHECK_INT(opt_append(&p, 'F', list, &n, 2, "ws://c"), -1);
	CHECK_STR(caught_text(),
	          "cityops feed-sim: --feed: given more than 2 times: "
	          "'ws://c'\n");
	CHECK_INT(n, 2);
	CHECK_STR(list[0], "ws://a");
	CHECK_STR(list[1], "ws://b");
}

struct taken {
	long long rate;
	int seen;
};

static int
take(const struct opt_parser *pp, int opt, const char *arg, void *ctx)
{
	struct taken *t = ctx;

	t->seen++;
	if (opt == 'r')
		return opt_int(pp, opt, arg, 1, 100, &t->rate);
	return opt == 's' ? 1 : 0;
}

/* Runs opt_getopt over the words of line, stderr caught. */
static int
walk(const char *line, struct taken *t, const char **err)
{
	char buf[128], *argv[16];
	int argc = 0, rc;

	snprintf(buf, sizeof buf, "%s", line);
	for (char *w = strtok(buf, " "); w != NULL && argc < 15;
	     w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	memset(t, 0, sizeof *t);
	usage_stdout = usage_stderr = 0;
	opterr = 0;
	catch_stderr();
	rc = opt_getopt(&p, argc, argv, take, t);
	*err = caught_text();
	return rc;
}

static void
getopt_walks_and_stops(void)
{
	struct taken t;
	const char *err;

	CHECK_INT(walk("sim --rate 5 -r 7 file", &t, &err), -1);
	CHECK_INT(t.rate, 7);
	CHECK_INT(t.seen, 2);
	CHECK_STR(err, "");
	CHECK_INT(walk("sim --rate 500 -r 7", &t, &err), 2);
	CHECK_INT(t.seen, 1); /* stops at the first refused value */
	CHECK_STR(err, "cityops feed-sim: --rate: not a whole number from 1 "
	               "to 100: '500'\n");
	CHECK_INT(usage_stderr, 0);
	CHECK_INT(walk("sim -h --rate 5", &t, &err), 0);
	CHECK_INT(usage_stdout, 1);
	CHECK_INT(t.seen, 0);
	CHECK_INT(walk("sim --bogus", &t, &err), 2);
	CHECK_INT(usage_stderr, 1);
	CHECK_INT(walk("sim --rate", &t, &err), 2);
	CHECK_INT(usage_stderr, 1);
	CHECK_INT(walk("sim -s x --rate 5", &t, &err), 0); /* done: exit 0 */
	CHECK_INT(t.seen, 1);
}

static const struct check_case cases[] = {
    TEST(whole_numbers_in_range),
    TEST(numbers_in_range),
    TEST(errors_name_the_option_and_range),
    TEST(repeated_options_up_to_a_bound),
    TEST(getopt_walks_and_stops),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
