/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops escalate-due [--every SECS] [--passes N] [--limit N]: runs
 * cityops.escalate_due, once or every SECS seconds, and prints a line per
 * escalation and one per pass:
 *
 *   261202-0013 ack step 1 → 督办1
 *   pass 1: 1 escalated
 *
 * A scheduler rather than pg_cron: pg_cron must be preloaded by the server
 * (shared_preload_libraries, a restart) and runs in one database only,
 * while this runs against any server the console reaches, as any officer
 * login whose scope it covers (cityops_ingest covers the city).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cityops/core/opt.h"
#include "cityops/db/db.h"
#include "cityops/ingest/escalate.h"

struct esc_args {
	const char *dsn;
	long long every, passes, limit;
};

static volatile sig_atomic_t stop_signal;

static void
on_stop(int signo)
{
	stop_signal = signo;
}

static void
usage(FILE *f)
{
	fputs("usage: cityops escalate-due [--every SECS] [--passes N] "
	      "[--limit N] [--dsn DSN]\n"
	      "  Escalates the open incidents whose SLA step is overdue "
	      "(自动督办), once,\n"
	      "  or every SECS seconds (1-3600) until stopped or N passes "
	      "are done.\n",
	      f);
}

static const struct option esc_longopts[] = {
    {"every", required_argument, NULL, 'e'},
    {"passes", required_argument, NULL, 'n'},
    {"limit", required_argument, NULL, 'L'},
    {"dsn", required_argument, NULL, 'd'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct esc_args *a = ctx;

	switch (opt) {
	case 'e':
		return opt_int(p, opt, arg, 1, 3600, &a->every);
	case 'n':
		return opt_int(p, opt, arg, 1, 1000000, &a->passes);
	case 'L':
		return opt_int(p, opt, arg, 1, 5000, &a->limit);
	case 'd':
		a->dsn = arg;
		return 0;
	}
	return -1;
}

/* One pass; returns the number escalated, or -1 after saying why. */
static int
one_pass(struct db *db, const struct esc_args *a)
{
	char limit[24];
	const char *p[1] = {limit};
	struct db_table *t = NULL;
	struct db_error err = {0};
	int n;

	snprintf(limit, sizeof limit, "%lld", a->limit);
	if (db_run(db, Q_ESCALATE_DUE, 1, p, &t, &err) != 0) {
		fprintf(stderr, "cityops escalate-due: %s\n",
		        err.message ? err.message : "failed");
		db_error_clear(&err);
		return -1;
	}
	for (int i = 0; i < t->nrows; i++)
		printf("%s %s step %s → 督办%s\n", db_get(t, i, "ref") ?: "?",
		       db_get(t, i, "stage") ?: "?",
		       db_get(t, i, "step") ?: "?",
		       db_get(t, i, "escalation") ?: "?");
	n = t->nrows;
	db_table_free(&t);
	return n;
}

/* Sleeps secs seconds, or less when a stop signal comes. */
static void
nap(long long secs)
{
	struct timespec ts = {.tv_sec = (time_t)secs, .tv_nsec = 0};

	while (!stop_signal && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
escalate_main(int argc, char **argv, const char *dsn)
{
	static const struct opt_parser p = {"cityops escalate-due",
	                                    esc_longopts, "d:h", usage};
	struct esc_args a = {.dsn = dsn, .every = 0, .passes = 0, .limit = 500};
	struct sigaction sa;
	struct db_error err = {0};
	struct db *db;
	int rc, failed = 0;

	if ((rc = opt_getopt(&p, argc, argv, parse_opt, &a)) >= 0)
		return rc;
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	db = db_connect(a.dsn, 10000, &err);
	if (db == NULL) {
		fprintf(stderr, "cityops escalate-due: cannot connect: %s\n",
		        err.message ? err.message : "?");
		db_error_clear(&err);
		return 1;
	}
	for (long long pass = 1; !stop_signal; pass++) {
		int n = one_pass(db, &a);
		failed = n < 0;
		if (n >= 0)
			printf("pass %lld: %d escalated\n", pass, n);
		fflush(stdout);
		if (a.every == 0 || (a.passes > 0 && pass >= a.passes))
			break;
		nap(a.every);
	}
	db_close(&db);
	return failed ? 1 : 0;
}
