/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops relay-watch: many simulated consoles in one process, for tests
 * and benchmarks (docs/scale.md). Each subscriber follows cityops relay
 * with its own scope (or, with --direct, LISTENs on its own database
 * connections as a console without a relay does) and every record it
 * receives is printed as one line:
 *
 *   SUBSCRIBER SEQ KIND ID REGION ARRIVAL_MS
 *
 * (REGION "-" for city-wide, ARRIVAL_MS the wall clock). A gap prints
 * "SUBSCRIBER gap BASE". It runs until SIGINT/SIGTERM or --seconds.
 * Every subscriber presents one token: --token, or one the watcher asks
 * for through its own login (relay_token_issue).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>
#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/opt.h"
#include "cityops/core/util.h"
#include "cityops/db/db.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/relay.h"

#define MAX_SCOPES 4096
/* Output goes out in writes of whole lines of at most PIPE_BUF bytes, so
 * that several watchers sharing one pipe or file never split a line. */
#define OUT_CHUNK 4096

struct sub {
	struct watch *w;
	int idx;
	struct relay_client *rc;
	struct db_async *db;
	int up;
};

struct watch {
	struct loop *loop;
	struct sub *subs;
	int nsubs, nup;
	const char *scopes[MAX_SCOPES];
	int nscopes;
	long long n, from;
	int direct, exercise;
	double seconds;
	const char *logpath, *dsn, *token;
	char issued[72];
	lws_sorted_usec_list_t stopper;
	uint64_t lines;
	struct buf out;             /* lines not yet written */
	struct loop_timer *flusher; /* writes them after this loop pass */
};

static void
out_flush(struct watch *w)
{
	size_t off = 0;

	while (off < w->out.len) {
		ssize_t n =
		    write(STDOUT_FILENO, w->out.data + off, w->out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	w->out.len = 0;
}

static void
flush_cb(void *arg)
{
	out_flush(arg);
}

/* Adds one line; what a loop pass printed is written when it is over
 * (a timer due now runs before the next poll). */
static void
out_line(struct watch *w, const char *line, size_t len)
{
	if (w->out.len + len > OUT_CHUNK)
		out_flush(w);
	buf_add(&w->out, line, len);
	loop_timer_start_if_idle(w->flusher, 0);
}

static void
print_line(struct sub *s, int64_t seq, const char *t, const char *id,
           const char *region)
{
	char line[1024];
	int n = snprintf(line, sizeof line, "%d %" PRId64 " %s %s %s %lld\n",
	                 s->idx, seq, t, id[0] ? id : "-",
	                 region[0] ? region : "-", (long long)feed_wall_ms());

	if (n > 0 && (size_t)n < sizeof line)
		out_line(s->w, line, (size_t)n);
	s->w->lines++;
}

static void
on_record(void *arg, const struct relay_line *l)
{
	print_line(arg, l->seq, l->t, l->id, l->region);
}

static void
on_gap(void *arg)
{
	struct sub *s = arg;
	char line[64];
	int n = snprintf(line, sizeof line, "%d gap %" PRId64 "\n", s->idx,
	                 relay_client_pos(s->rc));

	out_line(s->w, line, (size_t)n);
}

static void
on_link(void *arg, int up)
{
	struct sub *s = arg;

	if (up && !s->up && ++s->w->nup == s->w->nsubs)
		log_msg(LOG_INFO, "relay-watch: all %d subscribers up",
		        s->w->nsubs);
	if (!up && s->up)
		s->w->nup--;
	s->up = up;
}

/* --direct: a NOTIFY payload is the change record with its seq. */
static void
on_notify(void *arg, const char *payload)
{
	struct sub *s = arg;
	cJSON *o = cJSON_Parse(payload);
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t");

	if (cJSON_IsNumber(seq))
		print_line(s, (int64_t)seq->valuedouble,
		           cJSON_IsString(t) ? t->valuestring : "?", "", "");
	cJSON_Delete(o);
}

static void
on_db_link(void *arg, enum db_link link, const char *why)
{
	(void)why;
	on_link(arg, link == DB_LINK_UP);
}

static void
on_signal(void *arg, int signo)
{
	struct watch *w = arg;

	log_msg(LOG_INFO, "relay-watch: signal %d, stopping", signo);
	loop_quit(w->loop);
}

static void
stopper_cb(lws_sorted_usec_list_t *sul)
{
	struct watch *w = lws_container_of(sul, struct watch, stopper);

	loop_quit(w->loop);
}

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: cityops [-d CONNINFO] relay-watch [-n N] "
	        "[--scope PATH]... [--from SEQ] [--exercise]\n"
	        "                             [--seconds S] [--log FILE] "
	        "[--token T] URL\n"
	        "       cityops [-d CONNINFO] relay-watch --direct [-n N] "
	        "[--seconds S]\n"
	        "  N simulated consoles (1): each follows the relay at URL "
	        "with the next\n"
	        "  --scope in turn (none: the city), or with --direct LISTENs "
	        "on its own\n"
	        "  database connections. Prints SUBSCRIBER SEQ KIND ID REGION "
	        "ARRIVAL_MS\n"
	        "  per record received. The relay token is --token T, or one "
	        "issued to\n"
	        "  the login (relay_token_issue()).\n");
}

static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct watch *w = ctx;

	switch (opt) {
	case 'n':
		return opt_int(p, opt, arg, 1, 100000, &w->n);
	case 's':
		if (w->nscopes >= MAX_SCOPES || !relay_scope_valid(arg))
			return opt_error(p, opt, arg, "a region path");
		w->scopes[w->nscopes++] = arg;
		return 0;
	case 'f':
		return opt_int(p, opt, arg, 0, INT64_MAX, &w->from);
	case 'x':
		w->exercise = 1;
		return 0;
	case 'D':
		w->direct = 1;
		return 0;
	case 'S':
		return opt_double(p, opt, arg, 0.001, 1e9, &w->seconds);
	case 'l':
		w->logpath = arg;
		return 0;
	case 't':
		w->token = arg;
		return 0;
	default:
		return -1;
	}
}

/* A token issued to the watcher's own login. */
static int
issue_token(struct watch *w)
{
	struct db_error err = {0};
	struct db *db = db_connect(w->dsn, 10000, &err);
	struct db_table *t = NULL;
	const char *tok;
	int rc = -1;

	if (db != NULL &&
	    db_run(db, Q_RELAY_TOKEN_ISSUE, 0, NULL, &t, &err) == 0 &&
	    t->nrows == 1 && (tok = db_get(t, 0, "token")) != NULL &&
	    strlen(tok) < sizeof w->issued) {
		snprintf(w->issued, sizeof w->issued, "%s", tok);
		w->token = w->issued;
		rc = 0;
	} else {
		fprintf(stderr, "cityops relay-watch: no relay token: %s\n",
		        err.message ? err.message : "no answer");
	}
	db_table_free(&t);
	db_error_clear(&err);
	db_close(&db);
	return rc;
}

static int
start_subs(struct watch *w, const char *url)
{
	w->subs = xcalloc((size_t)w->n, sizeof *w->subs);
	for (int i = 0; i < (int)w->n; i++) {
		struct sub *s = &w->subs[i];
		s->w = w;
		s->idx = i;
		if (w->direct) {
			struct db_async_hooks dh = {on_db_link, on_notify, s};
			s->db = db_async_new(w->loop, w->dsn, &dh);
		} else {
			struct relay_client_opts o = {0};
			struct relay_client_hooks h = {on_record, on_gap,
			                               on_link, s};
			o.url = url;
			o.token = w->token;
			o.scope = w->nscopes ? w->scopes[i % w->nscopes] : "";
			o.exercise = w->exercise;
			o.resume = w->from >= 0;
			o.resume_pos = w->from;
			if ((s->rc = relay_client_new(loop_lws(w->loop), &o,
			                              &h)) == NULL)
				return -1;
		}
		w->nsubs++;
	}
	return 0;
}

int
relay_watch_main(int argc, char **argv, const char *dsn)
{
	static const struct option longopts[] = {
	    {"subscribers", required_argument, NULL, 'n'},
	    {"scope", required_argument, NULL, 's'},
	    {"from", required_argument, NULL, 'f'},
	    {"exercise", no_argument, NULL, 'x'},
	    {"direct", no_argument, NULL, 'D'},
	    {"seconds", required_argument, NULL, 'S'},
	    {"log", required_argument, NULL, 'l'},
	    {"token", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	static const struct opt_parser p = {"cityops relay-watch", longopts,
	                                    "n:s:f:xDS:l:t:h", usage};
	struct watch w;
	struct feed_sigwatch *sw;
	int rc;

	memset(&w, 0, sizeof w);
	w.n = 1;
	w.from = -1;
	w.logpath = "-";
	if ((rc = opt_getopt(&p, argc, argv, parse_opt, &w)) >= 0)
		return rc;
	if (w.direct ? optind != argc : optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (log_open(w.logpath, LOG_INFO) != 0) {
		fprintf(stderr, "cityops relay-watch: cannot open log %s\n",
		        w.logpath);
		return 2;
	}
	w.dsn = dsn;
	if (!w.direct && w.token == NULL && issue_token(&w) != 0)
		return 1;
	if ((w.loop = loop_new()) == NULL)
		return 1;
	w.flusher = loop_timer_new(w.loop, flush_cb, &w);
	sw = feed_sigwatch_new(w.loop, on_signal, &w);
	rc = sw == NULL || start_subs(&w, w.direct ? NULL : argv[optind]);
	if (rc == 0) {
		if (w.seconds > 0)
			lws_sul_schedule(loop_lws(w.loop), 0, &w.stopper,
			                 stopper_cb,
			                 (lws_usec_t)(w.seconds * 1e6));
		loop_run(w.loop);
		lws_sul_cancel(&w.stopper);
	}
	for (int i = 0; i < w.nsubs; i++) {
		relay_client_free(&w.subs[i].rc);
		db_async_free(&w.subs[i].db);
	}
	free(w.subs);
	out_flush(&w);
	buf_free(&w.out);
	loop_timer_free(&w.flusher);
	feed_sigwatch_free(&sw);
	loop_free(&w.loop);
	log_msg(LOG_INFO, "relay-watch: %" PRIu64 " records", w.lines);
	log_close();
	return rc ? 1 : 0;
}
