/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The drill's command line: `cityops drill run|check|clear|list`, and
 * loading a drill file.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/datadir.h"
#include "drill-internal.h"

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > 4 * 1024 * 1024)
			break;
	}
	fclose(f);
	*len = b.len;
	return b.data ? b.data : xstrdup("");
}

/* The run's name: the file's stem, lower case, [a-z0-9_.-]. */
static char *
stem(const char *path)
{
	const char *base = strrchr(path, '/');
	char *s = xstrdup(base ? base + 1 : path);
	char *dot = strstr(s, ".drill");
	size_t n;

	if (dot != NULL && dot[6] == '\0')
		*dot = '\0';
	for (char *q = s; *q != '\0'; q++) {
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
		      *q == '_' || *q == '-' || *q == '.'))
			*q = '-';
	}
	n = strlen(s);
	if (n == 0 || s[0] == '-' || s[0] == '_' || s[0] == '.') {
		char *t = xasprintf("drill%s", s);
		free(s);
		s = t;
	}
	return s;
}

static void
usage(FILE *f)
{
	fputs("usage: cityops [--dsn CONNINFO] [-U LOGIN] drill run FILE "
	      "[options]\n"
	      "       cityops drill check FILE\n"
	      "       cityops drill clear NAME|RUN\n"
	      "       cityops drill list\n"
	      "\n"
	      "run options:\n"
	      "  --speed N|max   drill seconds per real second (default: the "
	      "file's, else 1);\n"
	      "                  max jumps from event to event\n"
	      "  --report FILE   write the report as JSON\n"
	      "  --cap FILE      write the exercise as CAP 1.2 alerts "
	      "(status Exercise, JSON)\n"
	      "  --human LOGIN   leave LOGIN's steps to people at live "
	      "consoles (repeatable)\n"
	      "  --auto          play every operator, even those the file "
	      "leaves to people\n"
	      "  --keep          keep the exercise data for review (default)\n"
	      "  --clear         clear the exercise data after the report\n"
	      "  --quiet         no step log, only the report\n"
	      "\n"
	      "Exit status: 0 every expectation held, 1 one failed, 2 bad "
	      "drill file\n"
	      "or invocation (nothing was run), 3 database unreachable.\n"
	      "The format is in docs/drills.md.\n",
	      f);
}

/* Reads and parses; prints errors. Returns the drill or NULL. */
static struct drill *
load(const char *path)
{
	struct buf errors = {0};
	struct drill *d = NULL;
	size_t len = 0;
	char *text = read_file(path, &len), *shipped;

	/* A bare name not in this folder: a shipped drill (datadir.h). */
	if (text == NULL && errno == ENOENT &&
	    (shipped = datadir_find("drills", path, ".drill")) != NULL) {
		text = read_file(shipped, &len);
		free(shipped);
		errno = text == NULL ? errno : 0;
	}
	if (text == NULL) {
		fprintf(stderr, "cityops drill: cannot read %s: %s\n", path,
		        strerror(errno));
		return NULL;
	}
	if (drill_parse(text, len, path, &d, &errors) != 0) {
		fputs(errors.data ? errors.data : "", stderr);
		fprintf(stderr,
		        "cityops drill: %s has errors; nothing was "
		        "run\n",
		        path);
	}
	buf_free(&errors);
	free(text);
	return d;
}

static int
cmd_check(int argc, char **argv)
{
	struct drill *d;
	char end[32];
	int humans = 0;

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if ((d = load(argv[0])) == NULL)
		return 2;
	drill_format_time(d->end, end, sizeof end);
	for (int i = 0; i < d->nsteps; i++)
		humans += d->steps[i].kind == DRILL_AS &&
		          drill_is_human(d, d->steps[i].login);
	printf("%s: 「%s」 %d steps (%d left to people), %d expectations, "
	       "ends at %s\n",
	       argv[0], d->title, d->nsteps, humans, d->nexpects, end);
	drill_free(&d);
	return 0;
}

static int
cmd_clear(int argc, char **argv, const char *dsn)
{
	struct session s;
	struct db_error err = {0};
	struct db_table *t = NULL;
	const char *p[1];
	int rc = 0;

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (drill_open_session(&s, dsn, "the director") != 0)
		return 3;
	p[0] = argv[0];
	if (db_run(s.db, Q_DRILL_CLEAR, 1, p, &t, &err) != 0) {
		fprintf(stderr, "cityops drill clear: %s\n",
		        err.message ? err.message : "error");
		if (err.hint)
			fprintf(stderr, "hint: %s\n", err.hint);
		db_error_clear(&err);
		rc = 1;
	} else {
		printf("cleared drill %s: %s incidents, %s timeline rows\n",
		       argv[0], db_get(t, 0, "incidents"),
		       db_get(t, 0, "events"));
	}
	db_table_free(&t);
	drill_close_session(&s);
	return rc;
}

static int
cmd_list(const char *dsn)
{
	struct session s;
	struct db_error err = {0};
	struct db_table *t = NULL;

	if (drill_open_session(&s, dsn, "the director") != 0)
		return 3;
	if (db_run(s.db, Q_DRILL_RUNS, 0, NULL, &t, &err) != 0) {
		fprintf(stderr, "cityops drill list: %s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		drill_close_session(&s);
		return 1;
	}
	for (int i = 0; i < t->nrows; i++)
		printf("%-5s %-20s %-8s %3s/%-3s held/failed  %s incidents  "
		       "%s\n",
		       db_get(t, i, "id"), db_get(t, i, "name"),
		       db_get(t, i, "state"), db_get(t, i, "held") ?: "-",
		       db_get(t, i, "failed") ?: "-", db_get(t, i, "incidents"),
		       db_get(t, i, "title"));
	db_table_free(&t);
	drill_close_session(&s);
	return 0;
}

/* `drill run`'s command line, as parsed. */
struct run_args {
	const char *file, *report, *cap, *speed;
	const char *humans[32];
	int nhumans, clear, autoplay, quiet;
};

/* Returns -1 to go on, or the exit status. */
static int
parse_run_args(int argc, char **argv, struct run_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		int more = i + 1 < argc;
		if (strcmp(arg, "--speed") == 0 && more)
			a->speed = argv[++i];
		else if (strcmp(arg, "--report") == 0 && more)
			a->report = argv[++i];
		else if (strcmp(arg, "--cap") == 0 && more)
			a->cap = argv[++i];
		else if (strcmp(arg, "--human") == 0 && more && a->nhumans < 32)
			a->humans[a->nhumans++] = argv[++i];
		else if (strcmp(arg, "--clear") == 0)
			a->clear = 1;
		else if (strcmp(arg, "--keep") == 0)
			a->clear = 0;
		else if (strcmp(arg, "--auto") == 0)
			a->autoplay = 1;
		else if (strcmp(arg, "--quiet") == 0)
			a->quiet = 1;
		else if (arg[0] != '-' && a->file == NULL)
			a->file = arg;
		else {
			fprintf(stderr,
			        "cityops drill run: bad argument '%s'\n", arg);
			usage(stderr);
			return 2;
		}
	}
	if (a->file == NULL) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* Who plays whom, and how fast; returns 0, or 2 (said on stderr). */
static int
set_players(struct drill_runner *r, const struct run_args *a)
{
	for (int i = 0; i < a->nhumans; i++)
		if (!drill_is_human(r->d, a->humans[i])) {
			r->d->humans =
			    xrealloc(r->d->humans, (size_t)(r->d->nhumans + 1) *
			                               sizeof *r->d->humans);
			r->d->humans[r->d->nhumans++] = xstrdup(a->humans[i]);
		}
	if (a->autoplay && a->nhumans == 0) {
		for (int i = 0; i < r->d->nhumans; i++)
			free(r->d->humans[i]);
		r->d->nhumans = 0;
	}
	r->speed = r->d->speed != 0 ? r->d->speed : 1;
	if (a->speed != NULL) {
		char *end;
		if (strcmp(a->speed, "max") == 0)
			r->speed = -1;
		else if ((r->speed = strtod(a->speed, &end)) <= 0 ||
		         *end != '\0' || !isfinite(r->speed) ||
		         r->speed > 1e6) {
			fprintf(stderr, "cityops drill run: --speed takes a "
			                "number > 0 or max\n");
			return 2;
		}
	}
	if (r->d->nhumans > 0 && r->speed != 1) {
		fprintf(stderr,
		        "cityops drill run: %s is left to people at live "
		        "consoles, who act in real time: run with --speed 1 "
		        "(or --auto to play every operator)\n",
		        r->d->humans[0]);
		return 2;
	}
	return 0;
}

static int
cmd_run_drill(int argc, char **argv, const char *dsn)
{
	struct drill_runner r = {0};
	struct run_args a = {0};
	int status;
	long long started;

	if ((status = parse_run_args(argc, argv, &a)) >= 0)
		return status;
	r.quiet = a.quiet;
	if ((r.d = load(a.file)) == NULL)
		return 2;
	if (set_players(&r, &a) != 0) {
		drill_free(&r.d);
		return 2;
	}
	r.file = a.file;
	r.dsn = dsn;
	r.name = stem(a.file);
	r.xs = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.xs);
	r.xdetail = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.xdetail);
	r.xdecided = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.xdecided);
	r.alarms = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.alarms);
	r.ss = xcalloc((size_t)r.d->nsteps + 1, sizeof *r.ss);
	r.smsg = xcalloc((size_t)r.d->nsteps + 1, sizeof *r.smsg);

	if ((status = drill_preflight(&r)) != 0) {
		if (status == 2)
			fprintf(stderr, "cityops drill: nothing was run\n");
		drill_runner_free(&r);
		drill_free(&r.d);
		return status;
	}
	if (drill_start(&r) != 0) {
		drill_runner_free(&r);
		drill_free(&r.d);
		return 3;
	}
	if (!r.quiet) {
		char end[32];
		drill_format_time(r.d->end, end, sizeof end);
		printf("演练 %s 「%s」 run %s, ends at %s\n", r.name,
		       r.d->title, r.run, end);
		if (r.speed > 0)
			printf("speed ×%g: about %.1f s of real time\n",
			       r.speed, (double)r.d->end / r.speed);
		else
			printf("speed max: the clock jumps from event to "
			       "event\n");
		fflush(stdout);
	}
	signal(SIGINT, drill_on_signal);
	signal(SIGTERM, drill_on_signal);
	started = drill_mono_ms();
	drill_play(&r);
	r.real_secs = (double)(drill_mono_ms() - started) / 1000.0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	status = drill_finish(&r, a.report, a.cap, a.clear);
	drill_runner_free(&r);
	drill_free(&r.d);
	return status;
}

int
drill_main(int argc, char **argv, const char *dsn)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	if (strcmp(argv[0], "run") == 0)
		return cmd_run_drill(argc - 1, argv + 1, dsn);
	if (strcmp(argv[0], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[0], "clear") == 0)
		return cmd_clear(argc - 1, argv + 1, dsn);
	if (strcmp(argv[0], "list") == 0 && argc == 1)
		return cmd_list(dsn);
	fprintf(stderr, "cityops drill: unknown action '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}
