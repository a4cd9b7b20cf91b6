/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops relay (relay.h, docs/scale.md "Relay"): follows the change log
 * with one database session and serves its records to subscribers.
 *
 * The database side: the only LISTEN on channel cityops is a doorbell;
 * what is served is read from the change log by relay_changes() (sql/
 * functions/76_relay.sql), and a record is passed on only once no smaller
 * sequence can still commit — so every subscriber gets records in
 * sequence order, and "after sequence S" is a resume point that loses
 * nothing. The relay keeps the newest --keep records in memory; a
 * subscriber asking from further back is told "gap" and resyncs.
 *
 * Subscribers: each presents a token (relay_token_issue() through its own
 * login); the relay asks the database whose it is (relay_token_scope) and
 * passes on only records in that login's scope, intersected with the
 * scope the subscriber asks for. An unknown or expired token is refused
 * (the link is closed, nothing is sent).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/opt.h"
#include "cityops/core/util.h"
#include "cityops/db/db.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/relay.h"

#define RELAY_PROTOCOL "cityops-relay"
#define POLL_LIMIT     5000 /* rows per relay_changes call */
#define FRAME_LINES    256  /* records per frame at most */
#define WRITE_FRAMES   16   /* frames per writeable callback */
#define SAFETY_POLL_MS 1000 /* a poll even without a NOTIFY */
#define SETTLE_POLL_MS 5    /* while a drawn sequence is unsettled */

struct rec {
	int64_t seq;
	int64_t incident;
	char *line; /* the record's wire line, without newline */
	char *region;
	int exercise;
};

/* A settle mark: every sequence <= drawn is settled once a snapshot's
 * xmin passes own (relay_changes explains why). */
struct mark {
	int64_t drawn;
	uint64_t own;
};

struct sub;

/* A token check in flight; outlives a subscriber that closes meanwhile. */
struct auth {
	struct relay *r;
	struct sub *s; /* NULL once the subscriber closed */
};

struct sub {
	int64_t pos;     /* last sequence passed on (or skipped) */
	char scope[256]; /* what the token's login may see */
	char want[256];  /* what the subscriber asked for ("" all) */
	int state;       /* 0 token being checked, 1 serving, -1 refused */
	struct auth *auth;
	struct lws *wsi;
	int exercise;
	int hello;
	int gap; /* a gap line is due */
};

struct relay {
	struct loop *loop;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct lws_protocols protocols[2];
	struct db_async *db;
	struct loop_timer *poll_timer;
	struct rec *recs;
	size_t nrecs, caprecs;
	size_t keep;
	int64_t base;     /* every record after base is in recs */
	int64_t released; /* the newest sequence settled */
	int started;      /* base is known */
	int inflight, again;
	int64_t pending_drawn; /* drawn by the last call, or -1 */
	struct mark *marks;
	size_t nmarks, capmarks;
	struct buf out;
	int nsubs;
	uint64_t served, polls, frames;
};

struct relay_args {
	const char *host;
	long long port, keep;
	const char *logpath;
};

/* ---- the record store -------------------------------------------------- */

static void
rec_free(struct rec *r)
{
	free(r->line);
	free(r->region);
}

/* Drops the oldest records beyond keep (a quarter at a time). */
static void
store_trim(struct relay *r)
{
	size_t drop;

	if (r->nrecs <= r->keep)
		return;
	drop = r->nrecs - r->keep + r->keep / 4;
	if (drop > r->nrecs)
		drop = r->nrecs;
	for (size_t i = 0; i < drop; i++)
		rec_free(&r->recs[i]);
	r->base = r->recs[drop - 1].seq;
	memmove(r->recs, r->recs + drop, (r->nrecs - drop) * sizeof *r->recs);
	r->nrecs -= drop;
}

static void
store_add(struct relay *r, const struct db_table *t, int i)
{
	const char *kind = db_get(t, i, "kind"), *obj = db_get(t, i, "object");
	const char *inc = db_get(t, i, "incident_id");
	const char *region = db_get(t, i, "region_path");
	const char *x = db_get(t, i, "exercise");
	struct rec *rc;
	struct buf b = {0};

	if (r->nrecs == r->caprecs) {
		r->caprecs = r->caprecs ? r->caprecs * 2 : 1024;
		r->recs = xrealloc(r->recs, r->caprecs * sizeof *r->recs);
	}
	rc = &r->recs[r->nrecs++];
	memset(rc, 0, sizeof *rc);
	rc->seq = atoll(db_get(t, i, "seq"));
	rc->incident = inc ? atoll(inc) : 0;
	rc->exercise = x != NULL && strcmp(x, "t") == 0;
	rc->region = xstrdup(region ? region : "");
	buf_printf(&b, "{\"seq\":%" PRId64 ",\"t\":", rc->seq);
	buf_add_json_string(&b, kind ? kind : "");
	if (obj != NULL) {
		buf_adds(&b, ",\"id\":");
		buf_add_json_string(&b, obj);
	}
	if (rc->incident > 0)
		buf_printf(&b, ",\"incident\":%" PRId64, rc->incident);
	if (rc->region[0] != '\0') {
		buf_adds(&b, ",\"region\":");
		buf_add_json_string(&b, rc->region);
	}
	buf_printf(&b, ",\"x\":%s}", rc->exercise ? "true" : "false");
	rc->line = b.data;
}

/* The index of the first record after seq. */
static size_t
store_after(const struct relay *r, int64_t seq)
{
	size_t lo = 0, hi = r->nrecs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->recs[mid].seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- following the change log ------------------------------------------ */

static void poll_now(struct relay *r);

static void
mark_push(struct relay *r, int64_t drawn, uint64_t own)
{
	if (r->nmarks == r->capmarks) {
		r->capmarks = r->capmarks ? r->capmarks * 2 : 16;
		r->marks = xrealloc(r->marks, r->capmarks * sizeof *r->marks);
	}
	r->marks[r->nmarks++] = (struct mark){drawn, own};
}

/* The newest sequence settled at a snapshot whose xmin is given; drops
 * the marks it used. Marks are in call order, so own only grows. */
static int64_t
marks_settle(struct relay *r, uint64_t xmin)
{
	int64_t settled = r->released;
	size_t k = 0;

	while (k < r->nmarks && r->marks[k].own < xmin) {
		if (r->marks[k].drawn > settled)
			settled = r->marks[k].drawn;
		k++;
	}
	memmove(r->marks, r->marks + k, (r->nmarks - k) * sizeof *r->marks);
	r->nmarks -= k;
	return settled;
}

/* Takes the rows of one relay_changes answer; returns how many were
 * released. */
static int
take_rows(struct relay *r, const struct db_table *t)
{
	int64_t drawn = atoll(db_get(t, 0, "drawn") ?: "0");
	uint64_t xmin = strtoull(db_get(t, 0, "xmin") ?: "0", NULL, 10);
	uint64_t own = strtoull(db_get(t, 0, "own") ?: "0", NULL, 10);
	int64_t settled, last = r->released;
	int n = 0, rows = 0;

	if (!r->started) {
		/* The first call only finds where to start. */
		r->base = r->released =
		    drawn > (int64_t)r->keep ? drawn - (int64_t)r->keep : 0;
		r->started = 1;
		r->pending_drawn = drawn;
		mark_push(r, drawn, own);
		log_msg(LOG_INFO,
		        "relay: change log at %" PRId64
		        ", serving from %" PRId64,
		        drawn, r->base);
		lws_callback_on_writable_all_protocol(r->ctx, &r->protocols[0]);
		return 0;
	}
	/* own was taken after drawn was read (relay_changes): every writer
	 * that drew <= drawn has a smaller id. */
	mark_push(r, drawn, own);
	r->pending_drawn = drawn;
	settled = marks_settle(r, xmin);
	for (int i = 0; i < t->nrows; i++) {
		const char *s = db_get(t, i, "seq");
		int64_t seq;
		if (s == NULL)
			continue;
		rows++;
		seq = atoll(s);
		if (seq > settled)
			break;
		store_add(r, t, i);
		last = seq;
		n++;
	}
	/* Not cut off by the limit: every sequence up to settled is done
	 * (those not seen rolled back). */
	r->released = rows < POLL_LIMIT ? settled : last;
	if (n > 0) {
		store_trim(r);
		lws_callback_on_writable_all_protocol(r->ctx, &r->protocols[0]);
	}
	return n;
}

static void
polled(void *arg, struct db_table *t, const struct db_error *err)
{
	struct relay *r = arg;
	int n = 0;

	r->inflight = 0;
	r->polls++;
	if (t == NULL) {
		log_msg(LOG_WARN, "relay: reading the change log: %s",
		        err && err->message ? err->message : "failed");
		loop_timer_start(r->poll_timer, SAFETY_POLL_MS);
		return;
	}
	if (t->nrows > 0)
		n = take_rows(r, t);
	db_table_free(&t);
	if (r->again || n > 0) {
		r->again = 0;
		poll_now(r);
	} else if (r->pending_drawn > r->released) {
		/* Only a drawn sequence not yet released needs the fast
		 * cadence. Every call leaves a mark (its own id) that the
		 * next settles, so "marks left" is always true and kept an
		 * idle relay polling every 5 ms, each poll() going over
		 * every subscriber's socket. */
		loop_timer_start(r->poll_timer, SETTLE_POLL_MS);
	} else {
		loop_timer_start(r->poll_timer, SAFETY_POLL_MS);
	}
}

static void
poll_now(struct relay *r)
{
	char after[32], limit[16];
	const char *params[2] = {after, limit};

	if (r->inflight) {
		r->again = 1;
		return;
	}
	snprintf(after, sizeof after, "%" PRId64,
	         r->started ? r->released : INT64_MAX);
	snprintf(limit, sizeof limit, "%d", r->started ? POLL_LIMIT : 1);
	r->inflight = 1;
	db_async_submit(r->db, Q_RELAY_CHANGES, 2, params, polled, r);
}

static void
poll_cb(void *arg)
{
	poll_now(arg);
}

static void
on_notify(void *arg, const char *payload)
{
	(void)payload;
	poll_now(arg);
}

static void
on_link(void *arg, enum db_link link, const char *why)
{
	struct relay *r = arg;

	if (link == DB_LINK_UP)
		poll_now(r);
	else if (link == DB_LINK_DOWN)
		log_msg(LOG_WARN, "relay: database down: %s", why ? why : "");
}

/* ---- subscribers ------------------------------------------------------- */

static int
frame_send(struct relay *r, struct lws *wsi)
{
	size_t len = r->out.len - LWS_PRE;

	/* The last newline is not sent. */
	if (len > 0 && r->out.data[r->out.len - 1] == '\n')
		len--;
	if (lws_write(wsi, (unsigned char *)r->out.data + LWS_PRE, len,
	              LWS_WRITE_TEXT) < (int)len)
		return -1;
	r->frames++;
	return 0;
}

static void
frame_start(struct relay *r)
{
	static const char zeros[LWS_PRE];

	r->out.len = 0;
	buf_add(&r->out, zeros, LWS_PRE);
}

static int
sub_writeable(struct relay *r, struct sub *s, struct lws *wsi)
{
	int frames = 0;

	if (s->state == 0)
		return 0; /* the token's answer asks again */
	if (s->state < 0) {
		static const char why[] = "token refused";
		lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
		                 (unsigned char *)why, sizeof why - 1);
		return -1;
	}
	frame_start(r);
	if (!s->hello) {
		buf_printf(&r->out,
		           "{\"hello\":\"cityops-relay\",\"head\":%" PRId64
		           ",\"base\":%" PRId64 "}\n",
		           r->released, r->base);
		s->hello = 1;
		if (s->pos < 0)
			s->pos = r->released;
	}
	while (frames < WRITE_FRAMES && !lws_send_pipe_choked(wsi)) {
		size_t i, lines = 0;
		if (s->pos < r->base) {
			buf_printf(&r->out,
			           "{\"gap\":true,\"base\":%" PRId64 "}\n",
			           r->base);
			s->pos = r->base;
			lines++;
		}
		for (i = store_after(r, s->pos);
		     i < r->nrecs && lines < FRAME_LINES; i++) {
			const struct rec *rc = &r->recs[i];
			s->pos = rc->seq;
			if ((rc->exercise && !s->exercise) ||
			    !relay_in_scope(rc->region, s->scope) ||
			    !relay_in_scope(rc->region, s->want))
				continue;
			buf_adds(&r->out, rc->line);
			buf_add(&r->out, "\n", 1);
			lines++;
			r->served++;
		}
		if (i >= r->nrecs && s->pos < r->released)
			s->pos = r->released;
		if (r->out.len == LWS_PRE)
			return 0;
		if (frame_send(r, wsi) != 0)
			return -1;
		frames++;
		frame_start(r);
		if (i >= r->nrecs)
			return 0;
	}
	lws_callback_on_writable(wsi);
	return 0;
}

/* The database's answer to a subscriber's token. */
static void
token_checked(void *arg, struct db_table *t, const struct db_error *err)
{
	struct auth *a = arg;
	struct sub *s = a->s;
	const char *path = t && t->nrows == 1 ? db_get(t, 0, "scope_path") : 0;

	free(a);
	if (s != NULL) {
		s->auth = NULL;
		if (path != NULL && strlen(path) < sizeof s->scope &&
		    relay_scope_valid(path)) {
			memcpy(s->scope, path, strlen(path) + 1);
			s->state = 1;
			log_msg(
			    LOG_DEBUG,
			    "relay: subscriber of %s, scope '%s' asked '%s'",
			    db_get(t, 0, "login") ?: "?", s->scope, s->want);
		} else {
			s->state = -1;
			log_msg(LOG_WARN, "relay: refused a subscriber: %s",
			        t != NULL ? "token unknown or expired"
			        : err && err->message ? err->message
			                              : "token check failed");
		}
		lws_callback_on_writable(s->wsi);
	}
	db_table_free(&t);
}

static int
sub_auth(struct relay *r, struct sub *s, struct lws *wsi)
{
	char arg[300];
	const char *v = lws_get_urlarg_by_name(wsi, "token=", arg, sizeof arg);
	const char *params[1] = {v};

	if (v == NULL || !relay_token_valid(v)) {
		log_msg(LOG_WARN, "relay: refused a subscriber: no token");
		return -1;
	}
	s->auth = xcalloc(1, sizeof *s->auth);
	s->auth->r = r;
	s->auth->s = s;
	db_async_submit(r->db, Q_RELAY_TOKEN_SCOPE, 1, params, token_checked,
	                s->auth);
	return 0;
}

static int
sub_start(struct relay *r, struct sub *s, struct lws *wsi)
{
	char arg[300];
	const char *v;
	long long from;

	memset(s, 0, sizeof *s);
	s->pos = -1;
	s->wsi = wsi;
	/* lws copies "name=value" into arg and returns the value. */
	if ((v = lws_get_urlarg_by_name(wsi, "scope=", arg, sizeof arg)) !=
	    NULL) {
		if (strlen(v) >= sizeof s->want || !relay_scope_valid(v)) {
			log_msg(LOG_WARN, "relay: refused a subscriber: "
			                  "scope is not a region path");
			return -1;
		}
		memcpy(s->want, v, strlen(v) + 1);
	}
	if ((v = lws_get_urlarg_by_name(wsi, "from=", arg, sizeof arg)) !=
	    NULL) {
		if (opt_parse_int(v, 0, INT64_MAX, &from) != 0) {
			log_msg(LOG_WARN, "relay: refused a subscriber: "
			                  "from is not a sequence");
			return -1;
		}
		s->pos = from;
	}
	if ((v = lws_get_urlarg_by_name(wsi, "exercise=", arg, sizeof arg)) !=
	    NULL)
		s->exercise = strcmp(v, "1") == 0;
	if (sub_auth(r, s, wsi) != 0)
		return -1;
	r->nsubs++;
	log_msg(LOG_DEBUG,
	        "relay: subscriber asking '%s' from %" PRId64 " (%d open)",
	        s->want, s->pos, r->nsubs);
	return 0;
}

static int
relay_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
         void *in, size_t len)
{
	const struct lws_protocols *pr = lws_get_protocol(wsi);
	struct relay *r = pr ? pr->user : NULL;
	struct sub *s = user;

	(void)in;
	(void)len;
	if (r == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		return sub_start(r, s, wsi);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		/* Not before the start is known: the hello names it. */
		return r->started ? sub_writeable(r, s, wsi) : 0;
	case LWS_CALLBACK_CLOSED:
		if (s->auth != NULL)
			s->auth->s = NULL;
		r->nsubs--;
		return 0;
	case LWS_CALLBACK_HTTP:
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return -1;
	default:
		return 0;
	}
}

/* ---- the subcommand ---------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: cityops [-d CONNINFO] relay [--host ADDR] [--port N] "
	        "[--keep N] [--log FILE]\n"
	        "  Follows the change log (one database session, the only "
	        "LISTEN) and\n"
	        "  serves change records to consoles over websocket "
	        "(docs/scale.md).\n"
	        "  --host ADDR  listen address (127.0.0.1)\n"
	        "  --port N     port, 0 for any free one (7690); the URL is "
	        "printed\n"
	        "  --keep N     records kept for resuming subscribers "
	        "(100000)\n"
	        "  --log FILE   log file, - for stderr (-)\n"
	        "  Log in as cityops_relay (a viewer with city scope). Each "
	        "subscriber\n"
	        "  presents a token from relay_token_issue() and gets only "
	        "its login's\n"
	        "  scope (docs/security.md, \"Relay\").\n");
}

static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct relay_args *a = ctx;

	switch (opt) {
	case 'H':
		a->host = arg;
		return 0;
	case 'p':
		return opt_int(p, opt, arg, 0, 65535, &a->port);
	case 'k':
		return opt_int(p, opt, arg, 1, 100000000, &a->keep);
	case 'l':
		a->logpath = arg;
		return 0;
	default:
		return -1;
	}
}

static void
on_signal(void *arg, int signo)
{
	struct relay *r = arg;

	log_msg(LOG_INFO, "relay: signal %d, stopping", signo);
	loop_quit(r->loop);
}

static int
serve(struct relay *r, struct relay_args *a)
{
	struct lws_context_creation_info info;

	r->protocols[0].name = RELAY_PROTOCOL;
	r->protocols[0].callback = relay_cb;
	r->protocols[0].per_session_data_size = sizeof(struct sub);
	r->protocols[0].rx_buffer_size = 1024;
	r->protocols[0].user = r;
	memset(&info, 0, sizeof info);
	info.port = (int)a->port;
	info.iface = a->host;
	info.protocols = r->protocols;
	info.vhost_name = "relay";
	info.gid = -1;
	info.uid = -1;
	r->vh = lws_create_vhost(r->ctx, &info);
	if (r->vh == NULL) {
		fprintf(stderr, "cityops relay: cannot listen on %s:%lld\n",
		        a->host, a->port);
		return -1;
	}
	a->port = lws_get_vhost_listen_port(r->vh);
	return 0;
}

static int
run(struct relay *r, struct relay_args *a, const char *dsn)
{
	struct db_async_hooks dh = {on_link, on_notify, r};
	struct feed_sigwatch *sw = feed_sigwatch_new(r->loop, on_signal, r);

	if (sw == NULL || serve(r, a) != 0) {
		feed_sigwatch_free(&sw);
		return 1;
	}
	r->poll_timer = loop_timer_new(r->loop, poll_cb, r);
	r->db = db_async_new(r->loop, dsn, &dh);
	printf("ws://%s:%lld/changes\n", a->host, a->port);
	fflush(stdout);
	log_msg(LOG_INFO, "relay: listening on ws://%s:%lld/changes", a->host,
	        a->port);
	loop_run(r->loop);
	log_msg(LOG_INFO,
	        "relay: %" PRIu64 " polls, %" PRIu64
	        " records served in %" PRIu64
	        " frames, released up to %" PRId64,
	        r->polls, r->served, r->frames, r->released);
	db_async_free(&r->db);
	loop_timer_free(&r->poll_timer);
	feed_sigwatch_free(&sw);
	return 0;
}

int
relay_main(int argc, char **argv, const char *dsn)
{
	static const struct option longopts[] = {
	    {"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'p'},
	    {"keep", required_argument, NULL, 'k'},
	    {"log", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	static const struct opt_parser p = {"cityops relay", longopts,
	                                    "H:p:k:l:h", usage};
	struct relay_args a = {"127.0.0.1", 7690, 100000, "-"};
	struct relay r;
	int rc;

	if ((rc = opt_getopt(&p, argc, argv, parse_opt, &a)) >= 0)
		return rc;
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (log_open(a.logpath, LOG_INFO) != 0) {
		fprintf(stderr, "cityops relay: cannot open log %s\n",
		        a.logpath);
		return 2;
	}
	memset(&r, 0, sizeof r);
	r.keep = (size_t)a.keep;
	r.pending_drawn = -1;
	r.loop = loop_new();
	if (r.loop == NULL)
		return 1;
	r.ctx = loop_lws(r.loop);
	rc = run(&r, &a, dsn);
	loop_free(&r.loop);
	for (size_t i = 0; i < r.nrecs; i++)
		rec_free(&r.recs[i]);
	free(r.recs);
	free(r.marks);
	free(r.out.data);
	log_close();
	return rc;
}
