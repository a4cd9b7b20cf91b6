/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The command line of every subcommand (cityops, feed-sim, feed-watch,
 * ingest): whole numbers and numbers in a range, options that may be
 * repeated up to a bound, and values from a fixed set, each refused with
 * the same sentence for the same mistake:
 *
 *   cityops feed-sim: --rate: not a number from 0 to 1e+09: 'x'
 *   cityops ingest: --batch: not a whole number from 1 to 100000: '0'
 *   cityops: --feed: given more than 16 times
 */
#ifndef CITYOPS_OPT_H
#define CITYOPS_OPT_H

#include <getopt.h>
#include <stdio.h>

/* Who is parsing: the name messages start with, its options and usage. */
struct opt_parser {
	const char *prog;              /* "cityops feed-sim" */
	const struct option *longopts; /* names an option by its letter */
	const char *shortopts;         /* getopt_long's optstring */
	void (*usage)(FILE *f);        /* --help, and after a usage error */
};

/*
 * Takes one option (what getopt_long returned) with its argument (NULL
 * when it has none). Returns 0 when taken, -1 when refused (said on
 * stderr), 1 when the command is done (--version).
 */
typedef int opt_take_fn(const struct opt_parser *p, int opt, const char *arg,
                        void *ctx);

/*
 * Walks argv from argv[1] with getopt_long, handing each option to take.
 * -h prints usage to stdout and returns 0; an unknown option, one without
 * its argument or a refused value returns 2, after usage on stderr for the
 * first two; take returning 1 returns 0. Returns -1 when every option was
 * taken; optind is then the first operand.
 */
int opt_getopt(const struct opt_parser *p, int argc, char **argv,
               opt_take_fn *take, void *ctx);

/* Parses a whole decimal number in [min, max]; returns 0 or -1, silently. */
int opt_parse_int(const char *s, long long min, long long max, long long *out);
/* Parses a finite number in [min, max]; returns 0 or -1, silently. */
int opt_parse_double(const char *s, double min, double max, double *out);

/*
 * Prints "PROG: --NAME: WHAT: 'ARG'" to stderr, naming option opt (what
 * getopt_long returned) by its long name, or as -c when it has none.
 * Returns -1, so that a caller can return it.
 */
int opt_error(const struct opt_parser *p, int opt, const char *arg,
              const char *what);

/*
 * The argument arg of option opt as a whole number in [min, max] (max
 * LLONG_MAX: no upper bound). Returns 0, or -1 after saying "not a whole
 * number from MIN to MAX".
 */
int opt_int(const struct opt_parser *p, int opt, const char *arg, long long min,
            long long max, long long *out);
/* The same for a finite number: "not a number from MIN to MAX". */
int opt_double(const struct opt_parser *p, int opt, const char *arg, double min,
               double max, double *out);

/*
 * Appends arg to list, which holds *n of at most max. Returns 0, or -1
 * after saying "given more than MAX times".
 */
int opt_append(const struct opt_parser *p, int opt, const char **list, int *n,
               int max, const char *arg);

#endif
