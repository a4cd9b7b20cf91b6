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
#include "cityops/feed/feed-watch.h"
#include "cityops/drill/drill.h"
#include "cityops/cmd/headless.h"
#include "cityops/ingest/ingest.h"
#include "cityops/core/log.h"
#include "cityops/ui/tui.h"

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
	      "  -V, --version        print the version\n"
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

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
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
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct headless_opts ho = {0};
	struct tui_opts to = {0};
	struct session s = {0};
	const char *dsn = NULL, *script = NULL, *logpath = NULL;
	const char *commands[MAX_COMMANDS];
	const char *feeds[MAX_FEEDS];
	int ncommands = 0, headless = 0, opt, status = 0;
	struct db_error err = {0};

	setlocale(LC_ALL, "");
	while ((opt = getopt_long(argc, argv, "+d:U:c:f:Vh", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'd':
			dsn = optarg;
			break;
		case 'U':
			setenv("PGUSER", optarg, 1);
			break;
		case 'H':
			headless = 1;
			break;
		case 'c':
			if (ncommands == MAX_COMMANDS) {
				fprintf(stderr, "cityops: too many -c\n");
				return 2;
			}
			commands[ncommands++] = optarg;
			break;
		case 'f':
			script = optarg;
			break;
		case 'j':
			ho.json = 1;
			break;
		case 'k':
			ho.keep_going = 1;
			break;
		case 'e':
			ho.echo = 1;
			break;
		case 'r':
			s.readonly = 1;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'C':
			to.config = optarg;
			break;
		case 'T':
			to.theme = optarg;
			break;
		case 'N':
			to.no_color = 1;
			break;
		case 'X':
			to.exercise = 1;
			break;
		case 'F':
			if (to.nfeeds == MAX_FEEDS) {
				fprintf(stderr, "cityops: too many --feed\n");
				return 2;
			}
			feeds[to.nfeeds++] = optarg;
			to.feeds = feeds;
			break;
		case 'V':
			printf("cityops %s\n", CITYOPS_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (log_open(logpath, LOG_INFO) != 0) {
		fprintf(stderr, "cityops: cannot open log %s\n", logpath);
		return 2;
	}
	if (argc > 0 && strcmp(argv[0], "db") == 0)
		return main_db(argc - 1, argv + 1, dsn);
	/* Feeds (issue 4): docs/feed-format.md, docs/scenarios.md. */
	if (argc > 0 && strcmp(argv[0], "feed-sim") == 0)
		return feed_sim_main(argc, argv);
	if (argc > 0 && strcmp(argv[0], "feed-watch") == 0)
		return feed_watch_main(argc, argv);
	if (argc > 0 && strcmp(argv[0], "ingest") == 0)
		return ingest_main(argc, argv, dsn);
	if (argc > 0 && strcmp(argv[0], "drill") == 0)
		return drill_main(argc - 1, argv + 1, dsn);
	if (argc > 0) {
		fprintf(stderr, "cityops: unknown subcommand '%s'\n", argv[0]);
		usage(stderr);
		return 2;
	}

	/* On a terminal the full-screen console; it connects on its own loop
	 * and keeps running (with a banner) while the database is away. */
	if (!headless && ncommands == 0 && script == NULL && isatty(0) &&
	    isatty(1)) {
		const char *nc = getenv("NO_COLOR");
		if (nc != NULL && *nc != '\0')
			to.no_color = 1;
		to.dsn = dsn;
		/* The log must not reach the screen: stderr is the tty. */
		if (logpath != NULL && strcmp(logpath, "-") == 0 && isatty(2))
			log_open(NULL, LOG_INFO);
		status = tui_run(&s, &to);
		session_clear(&s);
		log_close();
		return status;
	}
	s.db = connect_or_warn(dsn);
	if (s.db != NULL && session_identify(&s, &err) != 0) {
		fprintf(stderr, "cityops: cannot identify the operator: %s\n",
		        err.message);
		db_error_clear(&err);
	}
	if (ncommands > 0) {
		for (int i = 0; i < ncommands; i++)
			if (headless_line(&s, commands[i], 0, &ho) != 0) {
				status = 1;
				if (!ho.keep_going)
					break;
			}
	} else if (script != NULL) {
		FILE *f = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");
		if (f == NULL) {
			fprintf(stderr, "cityops: cannot open %s\n", script);
			status = 2;
		} else {
			status = headless_run(&s, f, &ho);
			if (f != stdin)
				fclose(f);
		}
	} else {
		status = headless_run(&s, stdin, &ho);
	}
	session_clear(&s);
	db_close(&s.db);
	log_close();
	return status;
}
