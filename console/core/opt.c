/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The option helpers of include/cityops/core/opt.h. getopt_long does the
 * walking; this is the part every subcommand did again for itself: reading
 * a number in a range and saying what was wrong with it.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cityops/core/opt.h"

int
opt_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
opt_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
opt_error(const struct opt_parser *p, int opt, const char *arg,
          const char *what)
{
	const struct option *o = p->longopts;

	while (o != NULL && o->name != NULL && o->val != opt)
		o++;
	if (o != NULL && o->name != NULL)
		fprintf(stderr, "%s: --%s: %s: '%s'\n", p->prog, o->name, what,
		        arg);
	else
		fprintf(stderr, "%s: -%c: %s: '%s'\n", p->prog, opt, what, arg);
	return -1;
}

int
opt_int(const struct opt_parser *p, int opt, const char *arg, long long min,
        long long max, long long *out)
{
	char what[96];

	if (opt_parse_int(arg, min, max, out) == 0)
		return 0;
	if (max == LLONG_MAX)
		snprintf(what, sizeof what,
		         "not a whole number of at least %lld", min);
	else
		snprintf(what, sizeof what,
		         "not a whole number from %lld to %lld", min, max);
	return opt_error(p, opt, arg, what);
}

int
opt_double(const struct opt_parser *p, int opt, const char *arg, double min,
           double max, double *out)
{
	char what[96];

	if (opt_parse_double(arg, min, max, out) == 0)
		return 0;
	snprintf(what, sizeof what, "not a number from %g to %g", min, max);
	return opt_error(p, opt, arg, what);
}

int
opt_append(const struct opt_parser *p, int opt, const char **list, int *n,
           int max, const char *arg)
{
	char what[64];

	if (*n < max) {
		list[(*n)++] = arg;
		return 0;
	}
	snprintf(what, sizeof what, "given more than %d times", max);
	return opt_error(p, opt, arg, what);
}

int
opt_getopt(const struct opt_parser *p, int argc, char **argv, opt_take_fn *take,
           void *ctx)
{
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, p->shortopts, p->longopts,
	                          NULL)) != -1) {
		if (opt == 'h') {
			p->usage(stdout);
			return 0;
		}
		if (opt == '?' || opt == ':') {
			p->usage(stderr);
			return 2;
		}
		if ((rc = take(p, opt, optarg, ctx)) != 0)
			return rc > 0 ? 0 : 2;
	}
	return -1;
}
