/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops: one binary with subcommands in the manner of git.
 *
 *   cityops [options]               the console (headless when not on a tty)
 *   cityops --headless [options]    commands from stdin, --script or -c
 *   cityops db migrate|seed --demo|status
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cityops/cmd/cmd.h"
#include "cityops/db/db.h"
#include "cityops/db/dbadmin.h"
#include "cityops/feed/feed-sim.h"
#include "cityops/feed/relay.h"
#include "cityops/feed/feed-watch.h"
#include "cityops/drill/drill.h"
#include "cityops/cmd/headless.h"
#include "cityops/ingest/escalate.h"
#include "cityops/ingest/ingest.h"
#include "cityops/core/log.h"
#include "cityops/core/opt.h"
#include "cityops/core/zone.h"
#include "cityops/ui/config.h"
#include "cityops/ui/doctor.h"
#include "cityops/ui/tui.h"
#include "cityops/ui/version.h"

#define CONNECT_TIMEOUT_MS 5000
#define MAX_COMMANDS       64
#define MAX_FEEDS          16

static void
usage(FILE *f)
{
	fputs("usage: cityops [options] [--headless] [-c COMMAND]... [--script "
	      "FILE]\n"
	      "       cityops db migrate | seed --demo | status\n"
	      "       cityops feed-sim | ingest | feed-watch [--help]\n"
	      "       cityops drill run FILE | check FILE | clear NAME | list\n"
	      "       cityops escalate-due [--every SECS] [--passes N]\n"
	      "       cityops doctor [--config FILE] [--feed URL]...\n"
	      "       cityops --version [--verbose]\n"
	      "\n"
	      "options:\n"
	      "  -d, --dsn CONNINFO   libpq connection string (default: PG* "
	      "environment)\n"
	      "  -U, --user LOGIN     connect as this operator (sets PGUSER)\n"
	      "      --headless       no screen: run commands from stdin, "
	      "--script or -c\n"
	      "  -c, --command CMD    run CMD (may be repeated), then exit\n"
	      "  -f, --script FILE    run the commands in FILE, then exit\n"
	      "      --json           print one JSON object per command\n"
	      "      --keep-going     do not stop at the first failed command\n"
	      "      --echo           print each command before its output\n"
	      "      --readonly       refuse every command that changes data\n"
	      "      --log FILE       write the log to FILE ('-' for stderr)\n"
	      "\n"
	      "console options (on a terminal, without --headless):\n"
	      "      --config FILE    read settings from FILE (default:\n"
	      "                       $XDG_CONFIG_HOME/cityops/config)\n"
	      "      --theme NAME     dark, light, high-contrast, monochrome, "
	      "or a file\n"
	      "      --no-color       attributes only (also when NO_COLOR is "
	      "set)\n"
	      "      --exercise       show exercise (演练) data instead of "
	      "real\n"
	      "      --feed URL       show live values from the websocket feed "
	      "URL\n"
	      "                       (ws://…; repeat for more feeds; replaces "
	      "the\n"
	      "                       config file's feed lines)\n"
	      "      --relay URL      change records from cityops relay "
	      "(ws://…) instead\n"
	      "                       of a LISTEN of its own (docs/scale.md)\n"
	      "  -V, --version        print the version (with --verbose: the "
	      "libraries\n"
	      "                       and the server's version)\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "In the console, ':' opens the prompt, '?' lists keys and "
	      "commands;\n"
	      "see cityops(1) and docs/console.md.\n",
	      f);
}

static struct db *
connect_or_warn(const char *dsn)
{
	struct db_error err = {0};
	struct db *db = db_connect(dsn, CONNECT_TIMEOUT_MS, &err);

	if (db == NULL) {
		fprintf(stderr, "cityops: %s\n", err.message);
		db_error_clear(&err);
	}
	return db;
}

static int
main_db(int argc, char **argv, const char *dsn)
{
	struct db *db;
	int rc;

	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[0], "seed") == 0 &&
	    (argc < 2 || strcmp(argv[1], "--demo") != 0)) {
		fprintf(stderr, "cityops db seed: only --demo is available\n");
		return 2;
	}
	if (strcmp(argv[0], "migrate") != 0 && strcmp(argv[0], "seed") != 0 &&
	    strcmp(argv[0], "status") != 0) {
		fprintf(stderr, "cityops db: unknown action '%s'\n", argv[0]);
		return 2;
	}
	if ((db = connect_or_warn(dsn)) == NULL)
		return 3;
	if (strcmp(argv[0], "migrate") == 0)
		rc = dbadmin_migrate(db) == 0 ? 0 : 1;
	else if (strcmp(argv[0], "seed") == 0)
		rc = dbadmin_seed_demo(db) == 0 ? 0 : 1;
	else
		rc = dbadmin_status(db);
	db_close(&db);
	return rc;
}

static const struct option main_longopts[] = {
    {"dsn", required_argument, NULL, 'd'},
    {"user", required_argument, NULL, 'U'},
    {"headless", no_argument, NULL, 'H'},
    {"command", required_argument, NULL, 'c'},
    {"script", required_argument, NULL, 'f'},
    {"json", no_argument, NULL, 'j'},
    {"keep-going", no_argument, NULL, 'k'},
    {"echo", no_argument, NULL, 'e'},
    {"readonly", no_argument, NULL, 'r'},
    {"log", required_argument, NULL, 'l'},
    {"config", required_argument, NULL, 'C'},
    {"theme", required_argument, NULL, 'T'},
    {"no-color", no_argument, NULL, 'N'},
    {"exercise", no_argument, NULL, 'X'},
    {"feed", required_argument, NULL, 'F'},
    {"relay", required_argument, NULL, 'R'},
    {"version", no_argument, NULL, 'V'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The command line, as parsed. */
struct args {
	struct headless_opts ho;
	struct tui_opts to;
	struct session s;
	const char *dsn, *script, *logpath;
	const char *commands[MAX_COMMANDS];
	const char *feeds[MAX_FEEDS];
	int ncommands, headless, version, verbose;
};

/* One option with its argument; returns 0, or -1 when it was refused. */
static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (opt) {
	case 'V':
		a->version = 1;
		return 0;
	case 'v':
		a->verbose = 1;
		return 0;
	case 'd':
		a->dsn = arg;
		return 0;
	case 'U':
		setenv("PGUSER", arg, 1);
		return 0;
	case 'H':
		a->headless = 1;
		return 0;
	case 'c':
		return opt_append(p, opt, a->commands, &a->ncommands,
		                  MAX_COMMANDS, arg);
	case 'f':
		a->script = arg;
		return 0;
	case 'j':
		a->ho.json = 1;
		return 0;
	case 'k':
		a->ho.keep_going = 1;
		return 0;
	case 'e':
		a->ho.echo = 1;
		return 0;
	case 'r':
		a->s.readonly = 1;
		return 0;
	case 'l':
		a->logpath = arg;
		return 0;
	case 'C':
		a->to.config = arg;
		return 0;
	case 'T':
		a->to.theme = arg;
		return 0;
	case 'N':
		a->to.no_color = 1;
		return 0;
	case 'X':
		a->to.exercise = 1;
		return 0;
	case 'F':
		a->to.feeds = a->feeds;
		return opt_append(p, opt, a->feeds, &a->to.nfeeds, MAX_FEEDS,
		                  arg);
	case 'R':
		if (strncmp(arg, "ws://", 5) != 0)
			return opt_error(p, opt, arg, "a ws:// URL");
		a->to.relay = arg;
		return 0;
	}
	return -1;
}

/* Returns -1 to go on, or the exit status. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	/* '+': options stop at the subcommand, which parses its own. */
	static const struct opt_parser p = {"cityops", main_longopts,
	                                    "+d:U:c:f:Vh", usage};

	return opt_getopt(&p, argc, argv, parse_opt, a);
}

/* A subcommand (db, feed-sim, ...): returns its exit status. */
static int
main_subcommand(int argc, char **argv, const char *dsn)
{
	if (strcmp(argv[0], "db") == 0)
		return main_db(argc - 1, argv + 1, dsn);
	/* Feeds (issue 4): docs/feed-format.md, docs/scenarios.md. */
	if (strcmp(argv[0], "feed-sim") == 0)
		return feed_sim_main(argc, argv);
	if (strcmp(argv[0], "feed-watch") == 0)
		return feed_watch_main(argc, argv);
	/* City scale (issue 12): docs/scale.md "Relay". */
	if (strcmp(argv[0], "relay") == 0)
		return relay_main(argc, argv, dsn);
	if (strcmp(argv[0], "relay-watch") == 0)
		return relay_watch_main(argc, argv, dsn);
	if (strcmp(argv[0], "ingest") == 0)
		return ingest_main(argc, argv, dsn);
	if (strcmp(argv[0], "drill") == 0)
		return drill_main(argc - 1, argv + 1, dsn);
	if (strcmp(argv[0], "escalate-due") == 0)
		return escalate_main(argc, argv, dsn);
	if (strcmp(argv[0], "doctor") == 0)
		return doctor_main(argc, argv, dsn);
	fprintf(stderr, "cityops: unknown subcommand '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}

/*
 * One clock (issue 14): headless output is in the config's display zone,
 * as the console's is (ui/clock.c), whatever TZ and PGTZ say. As in the
 * console, a --config file that cannot be read is fatal (-1) and a bad
 * line is reported (a bad zone leaves the default).
 */
static int
headless_zone(const struct args *a)
{
	static struct config cfg;
	char cerr[256] = "";

	if (config_load(&cfg, a->to.config, cerr, sizeof cerr) != 0) {
		fprintf(stderr, "cityops: config: %s\n", cerr);
		if (a->to.config != NULL)
			return -1;
	}
	zone_apply(cfg.timezone);
	return 0;
}

/* Without a screen: -c commands, a script or stdin. */
static int
main_headless(struct args *a)
{
	struct db_error err = {0};
	int status = 0;

	if (headless_zone(a) != 0)
		return 2;
	a->s.db = connect_or_warn(a->dsn);
	if (a->s.db != NULL && session_identify(&a->s, &err) != 0) {
		fprintf(stderr, "cityops: cannot identify the operator: %s\n",
		        err.message);
		db_error_clear(&err);
	}
	if (a->ncommands > 0) {
		for (int i = 0; i < a->ncommands; i++)
			if (headless_line(&a->s, a->commands[i], 0, &a->ho) !=
			    0) {
				status = 1;
				if (!a->ho.keep_going)
					break;
			}
	} else if (a->script != NULL) {
		FILE *f =
		    strcmp(a->script, "-") == 0 ? stdin : fopen(a->script, "r");
		if (f == NULL) {
			fprintf(stderr, "cityops: cannot open %s\n", a->script);
			status = 2;
		} else {
			status = headless_run(&a->s, f, &a->ho);
			if (f != stdin)
				fclose(f);
		}
	} else {
		status = headless_run(&a->s, stdin, &a->ho);
	}
	session_clear(&a->s);
	db_close(&a->s.db);
	return status;
}

int
main(int argc, char **argv)
{
	static struct args a;
	int status;

	setlocale(LC_ALL, "");
	if ((status = parse_args(argc, argv, &a)) >= 0)
		return status;
	argc -= optind;
	argv += optind;
	if (a.version)
		return version_print(stdout, a.verbose, a.dsn);
	if (log_open(a.logpath, LOG_INFO) != 0) {
		fprintf(stderr, "cityops: cannot open log %s\n", a.logpath);
		return 2;
	}
	if (argc > 0)
		return main_subcommand(argc, argv, a.dsn);

	/* On a terminal the full-screen console; it connects on its own loop
	 * and keeps running (with a banner) while the database is away. */
	if (!a.headless && a.ncommands == 0 && a.script == NULL && isatty(0) &&
	    isatty(1)) {
		const char *nc = getenv("NO_COLOR");
		if (nc != NULL && *nc != '\0')
			a.to.no_color = 1;
		a.to.dsn = a.dsn;
		/* The log must not reach the screen: stderr is the tty. */
		if (a.logpath != NULL && strcmp(a.logpath, "-") == 0 &&
		    isatty(2))
			log_open(NULL, LOG_INFO);
		status = tui_run(&a.s, &a.to);
		session_clear(&a.s);
		log_close();
		return status;
	}
	status = main_headless(&a);
	log_close();
	return status;
}
