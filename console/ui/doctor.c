/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * `cityops doctor`: the command line and the report
 * (include/cityops/ui/doctor.h). The checks are in doctor-checks.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cityops/core/opt.h"
#include "cityops/core/text.h"
#include "cityops/db/db.h"
#include "cityops/ui/config.h"
#include "cityops/ui/doctor.h"

#define DOCTOR_FEEDS_MAX 16

void
doctor_line(struct doctor *d, enum doctor_state st, const char *name,
            const char *hint, const char *fmt, ...)
{
	static const char *const tag[] = {"ok", "note", "FAIL"};
	char raw[2048], clean[2048];
	va_list ap;

	/* Server messages and names are untrusted: one line, no controls. */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	text_sanitize(raw, strlen(raw), clean, sizeof clean);
	for (char *p = clean; (p = strstr(p, "  ")) != NULL;)
		memmove(p, p + 1, strlen(p + 1) + 1);
	fprintf(d->out, "%-5s %-10s %s\n", tag[st], name, clean);
	if (st != DOCTOR_FAIL)
		return;
	if (hint != NULL)
		fprintf(d->out, "%-5s %-10s hint: %s\n", "", "", hint);
	if (d->problems++ == 0)
		snprintf(d->first, sizeof d->first, "%s", name);
}

static void
usage(FILE *f)
{
	fputs("usage: cityops [--dsn CONNINFO] [-U LOGIN] doctor [--config "
	      "FILE] [--feed URL]...\n"
	      "\n"
	      "Checks this machine for the console, one line each: the "
	      "connection\n"
	      "(host, TLS, server version), migrations applied and pending, "
	      "the\n"
	      "login's role and scope, clocks and time zones, each feed of "
	      "the\n"
	      "config file (or --feed), the terminal and the locale. It "
	      "changes\n"
	      "nothing. Exit status: 0 all well, 1 a problem (with a hint), "
	      "2 bad\n"
	      "invocation.\n"
	      "\n"
	      "  --config FILE   the console's config file (default:\n"
	      "                  $XDG_CONFIG_HOME/cityops/config)\n"
	      "  --feed URL      check this feed instead of the config's "
	      "(repeatable)\n",
	      f);
}

struct doctor_args {
	const char *config;
	const char *feeds[DOCTOR_FEEDS_MAX];
	int nfeeds;
};

static int
take(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct doctor_args *a = ctx;

	if (opt == 'C') {
		a->config = arg;
		return 0;
	}
	if (opt == 'F')
		return opt_append(p, opt, a->feeds, &a->nfeeds,
		                  DOCTOR_FEEDS_MAX, arg);
	return -1;
}

/* The feeds to check: --feed, else the config file's; 0 or -1 (a FAIL). */
static int
check_feeds(struct doctor *d, const struct doctor_args *a)
{
	static struct config cfg;
	char err[512] = "";

	for (int i = 0; i < a->nfeeds; i++)
		doctor_feed(d, a->feeds[i]);
	if (a->nfeeds > 0)
		return 0;
	if (config_load(&cfg, a->config, err, sizeof err) != 0) {
		doctor_line(d, DOCTOR_FAIL, "config",
		            "fix the line named, or see cityops-config(5)",
		            "%s", err);
		return -1;
	}
	for (int i = 0; i < cfg.nfeeds; i++)
		doctor_feed(d, cfg.feeds[i]);
	if (cfg.nfeeds == 0)
		doctor_line(d, DOCTOR_NOTE, "feeds", NULL,
		            "none configured (a 'feed URL' line in the config "
		            "file, or --feed)");
	return 0;
}

int
doctor_main(int argc, char **argv, const char *dsn)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'C'},
	    {"feed", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const struct opt_parser p = {"cityops doctor", longopts, "h",
	                                    usage};
	struct doctor_args a = {0};
	struct doctor d = {.out = stdout};
	struct db *db;
	int rc;

	if ((rc = opt_getopt(&p, argc, argv, take, &a)) >= 0)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "cityops doctor: unexpected argument '%s'\n",
		        argv[optind]);
		usage(stderr);
		return 2;
	}
	if ((db = doctor_connection(&d, dsn)) != NULL) {
		doctor_schema(&d, db);
		doctor_login(&d, db);
		doctor_clock(&d, db);
		db_close(&db);
	}
	check_feeds(&d, &a);
	doctor_terminal(&d);
	doctor_locale(&d);
	if (d.problems == 0) {
		fprintf(d.out, "doctor: no problems found\n");
		return 0;
	}
	fprintf(d.out, "doctor: %d problem%s; the first: %s\n", d.problems,
	        d.problems == 1 ? "" : "s", d.first);
	return 1;
}
