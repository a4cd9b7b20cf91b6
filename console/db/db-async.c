/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The asynchronous side of the database layer (db.h): two connections on
 * the loop, a worker that sends one request at a time and a listener for
 * LISTEN, with reconnect and backoff. The synchronous side is db.c.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "db-internal.h"

/*
 * The asynchronous side. Each connection is a small state machine driven
 * by its socket's readiness reports from the loop and by timers; the loop
 * watches a dup() of PQsocket(), re-adopted whenever the socket changes
 * (libpq opens a new one for each host it tries and on every reconnect).
 */

#define DB_BACKOFF_MIN      250
#define DB_BACKOFF_MAX      1000
#define DB_ASYNC_MAX_PARAMS 16

struct db_request {
	struct db_request *next;
	enum query_id q;
	int nparams;
	char *params[DB_ASYNC_MAX_PARAMS];
	db_done_fn done;
	void *arg;
	int sent;
	int settle; /* REQ: the link was lost; look params[0] up next */
	int resent; /* REQ: settled as not applied and sent again */
};

enum conn_state { CS_DOWN, CS_CONNECTING, CS_LISTENING, CS_UP };

struct db_conn {
	struct db_async *owner;
	struct db db;
	enum conn_state st;
	int listener;
	struct loop_watch *watch;
	int watched_fd;
	PostgresPollingStatusType poll;
	PGresult *keep; /* worker: the result being collected */
	int failed;     /* worker: an error result came */
	struct db_error err;
};

struct db_async {
	struct loop *loop;
	char *conninfo;
	struct db_async_hooks hooks;
	struct db_conn worker, listen;
	enum db_link link;
	struct db_request *head, *tail;
	struct loop_timer *retry, *deadline, *stmt;
	int backoff_ms;
	long long retry_at;
	int host, nhosts, host_ms; /* the host being tried, of how many */
	char tried[512];           /* what the hosts tried so far said */
	char why[256];
	int in_callback;
	int closing; /* db_async_free is cancelling what is pending */
};

static void conn_event(void *arg, unsigned events);
static void conn_failed(struct db_conn *c, const char *msg);
static void link_down(struct db_async *a, const char *why);
static void pump(struct db_async *a);

static void
request_free(struct db_request *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	free(r);
}

/* Keeps the loop watching the connection's current socket. */
static void
conn_rewatch(struct db_conn *c)
{
	int fd = c->db.conn != NULL ? PQsocket(c->db.conn) : -1;

	if (fd == c->watched_fd && c->watch != NULL)
		return;
	loop_unwatch(&c->watch);
	c->watched_fd = -1;
	if (fd < 0)
		return;
	c->watch = loop_watch_fd(c->owner->loop, fd, conn_event, c);
	if (c->watch != NULL)
		c->watched_fd = fd;
}

static void
conn_close(struct db_conn *c)
{
	loop_unwatch(&c->watch);
	c->watched_fd = -1;
	PQclear(c->keep);
	c->keep = NULL;
	c->failed = 0;
	db_error_clear(&c->err);
	if (c->db.conn != NULL)
		PQfinish(c->db.conn);
	c->db.conn = NULL;
	c->st = CS_DOWN;
}

static void
set_link(struct db_async *a, enum db_link link, const char *why)
{
	if (a->link == link)
		return;
	a->link = link;
	if (a->hooks.state != NULL)
		a->hooks.state(a->hooks.arg, link, why);
}

static void
conn_start(struct db_conn *c)
{
	conn_close(c);
	c->db.conn = db_conn_start_host(c->owner->conninfo, c->owner->host);
	if (c->db.conn == NULL || PQstatus(c->db.conn) == CONNECTION_BAD) {
		char *msg = c->db.conn ? db_trimmed(PQerrorMessage(c->db.conn))
		                       : xstrdup("out of memory");
		conn_failed(c, msg);
		free(msg);
		return;
	}
	PQsetNoticeProcessor(c->db.conn, db_notice, NULL);
	c->st = CS_CONNECTING;
	c->poll = PGRES_POLLING_WRITING;
	conn_rewatch(c);
	loop_want_write(c->watch);
}

/* Without a notify hook (a console fed by cityops relay) there is no
 * listener connection: the worker alone makes the link. */
static int
listens(const struct db_async *a)
{
	return a->hooks.notify != NULL;
}

/*
 * The worker tries the hosts one at a time, each with its own deadline
 * (connect_timeout, db-hosts.c); the listener then connects to the host
 * the worker reached, so that both are on the same node.
 */
static void
retry_cb(void *arg)
{
	struct db_async *a = arg;

	a->retry_at = 0;
	a->host = 0;
	a->nhosts = db_hosts_count(a->conninfo);
	a->host_ms = db_hosts_timeout_ms(a->conninfo);
	a->tried[0] = '\0';
	set_link(a, DB_LINK_CONNECTING, NULL);
	loop_timer_start(a->deadline, a->host_ms);
	conn_start(&a->worker);
}

/* A connection attempt failed: the worker moves on to the next host, if
 * any; otherwise the link is down, saying what every host said. */
static void
conn_failed(struct db_conn *c, const char *msg)
{
	struct db_async *a = c->owner;
	size_t len = strlen(a->tried);

	snprintf(a->tried + len, sizeof a->tried - len, "%s%s",
	         len > 0 ? "\n" : "", msg);
	if (c->listener || a->host + 1 >= a->nhosts) {
		link_down(a, a->tried);
		return;
	}
	log_msg(LOG_INFO, "database host %d of %d: %s; trying the next",
	        a->host + 1, a->nhosts, msg);
	a->host++;
	loop_timer_start(a->deadline, a->host_ms);
	conn_start(&a->worker);
}

static void
deadline_cb(void *arg)
{
	struct db_async *a = arg;
	struct db_conn *c = a->worker.st == CS_UP ? &a->listen : &a->worker;
	char why[96];

	snprintf(why, sizeof why, "host %d of %d: no answer within %d ms",
	         a->host + 1, a->nhosts, a->host_ms);
	conn_failed(c, why);
}

static void
stmt_cb(void *arg)
{
	struct db_async *a = arg;
	char why[96];

	snprintf(why, sizeof why, "a statement took over %d ms",
	         DB_STATEMENT_MS);
	link_down(a, why);
}

/*
 * Both connections go down together and come back together, so that the
 * console never listens without being able to refetch (or the reverse).
 */
static void
link_down(struct db_async *a, const char *why)
{
	struct db_request **pp;
	enum db_link was = a->link;
	unsigned r;

	/* Down first, so that a callback submitting from here only queues. */
	a->link = DB_LINK_DOWN;
	loop_timer_stop(a->deadline);
	loop_timer_stop(a->stmt);
	conn_close(&a->worker);
	conn_close(&a->listen);
	snprintf(a->why, sizeof a->why, "%s", why ? why : "connection lost");
	log_msg(LOG_WARN, "database link down: %s", a->why);
	/* A write that was sent may or may not have been applied: fail it
	 * and say so. Reads are simply sent again after reconnecting. */
	for (pp = &a->head; *pp != NULL;) {
		struct db_request *q = *pp;
		if (q->sent && query_request(q->q))
			q->settle = 1; /* settled by its id after reconnect */
		else if (q->sent && query_once(q->q)) {
			struct db_error err = {0};
			*pp = q->next;
			db_error_set(
			    &err,
			    "outcome unknown: the database connection was "
			    "lost while the change was running (%s); it may "
			    "or may not have been applied and was not sent "
			    "again",
			    a->why);
			err.unknown = 1;
			q->done(q->arg, NULL, &err);
			db_error_clear(&err);
			request_free(q);
			continue;
		}
		q->sent = 0;
		pp = &q->next;
	}
	a->tail = NULL;
	for (struct db_request *q = a->head; q != NULL; q = q->next)
		a->tail = q;
	if (a->backoff_ms == 0)
		a->backoff_ms = DB_BACKOFF_MIN;
	else if ((a->backoff_ms *= 2) > DB_BACKOFF_MAX)
		a->backoff_ms = DB_BACKOFF_MAX;
	/* Jitter in [50 %, 150 %) so that many consoles do not reconnect in
	 * step after a database restart. */
	r = (unsigned)random();
	{
		int ms = a->backoff_ms / 2 + (int)(r % (unsigned)a->backoff_ms);
		a->retry_at = loop_now_ms() + ms;
		loop_timer_start(a->retry, ms);
	}
	if (was != DB_LINK_DOWN && a->hooks.state != NULL)
		a->hooks.state(a->hooks.arg, DB_LINK_DOWN, a->why);
}

static void
both_up(struct db_async *a)
{
	if (a->worker.st != CS_UP || (listens(a) && a->listen.st != CS_UP))
		return;
	loop_timer_stop(a->deadline);
	a->backoff_ms = 0;
	a->why[0] = '\0';
	log_msg(LOG_INFO, "database link up");
	set_link(a, DB_LINK_UP, NULL);
	pump(a);
}

static void
conn_poll(struct db_conn *c)
{
	c->poll = PQconnectPoll(c->db.conn);
	conn_rewatch(c);
	switch (c->poll) {
	case PGRES_POLLING_FAILED: {
		char *msg = db_trimmed(PQerrorMessage(c->db.conn));
		conn_failed(c, msg);
		free(msg);
		return;
	}
	case PGRES_POLLING_WRITING:
		loop_want_write(c->watch);
		return;
	case PGRES_POLLING_OK:
		PQsetnonblocking(c->db.conn, 1);
		if (!c->listener) {
			c->st = CS_UP;
			if (listens(c->owner)) {
				loop_timer_start(c->owner->deadline,
				                 c->owner->host_ms);
				conn_start(&c->owner->listen);
			}
			both_up(c->owner);
			return;
		}
		if (!PQsendQuery(c->db.conn, query_sql(Q_LISTEN))) {
			char *msg = db_trimmed(PQerrorMessage(c->db.conn));
			link_down(c->owner, msg);
			free(msg);
			return;
		}
		c->st = CS_LISTENING;
		if (PQflush(c->db.conn) > 0)
			loop_want_write(c->watch);
		return;
	default:
		return;
	}
}

/*
 * The server waits for COPY data: all of it is sent at once, the socket
 * made blocking for the while (a batch is a few hundred kilobytes to a
 * local server that is reading it), then the end. A failure to send
 * fails the request; the lost link shows up when results are read.
 */
static void
copy_in(struct db_conn *c, const char *data)
{
	PGconn *conn = c->db.conn;
	int ok;

	PQsetnonblocking(conn, 0);
	ok = data != NULL && PQputCopyData(conn, data, (int)strlen(data)) == 1;
	ok = PQputCopyEnd(conn, ok ? NULL : "no data") == 1 && ok;
	PQsetnonblocking(conn, 1);
	if (!ok && !c->failed) {
		char *msg = db_trimmed(PQerrorMessage(conn));
		db_error_set(&c->err, "COPY not sent: %s", msg);
		c->failed = 1;
		free(msg);
	}
}

/*
 * Drains results; returns 1 when the command is complete. copy is the
 * data for a COPY ... FROM STDIN in the command, or NULL.
 */
static int
conn_collect(struct db_conn *c, const char *copy)
{
	PGresult *res;

	while (!PQisBusy(c->db.conn)) {
		res = PQgetResult(c->db.conn);
		if (res == NULL)
			return 1;
		switch (PQresultStatus(res)) {
		case PGRES_COPY_IN:
			copy_in(c, copy);
			break;
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			if (!c->failed) {
				PQclear(c->keep);
				c->keep = res;
				res = NULL;
			}
			break;
		default:
			if (!c->failed)
				db_error_from(res, c->db.conn, &c->err);
			c->failed = 1;
			break;
		}
		PQclear(res);
	}
	return 0;
}

/*
 * A failed answer that leaves the request to be tried again on a new link:
 * the node refused it as the wrong one (not applied), or a REQ change's id
 * is taken (CO008: settle by looking it up). 1 when so handled.
 */
static int
retry_head(struct db_async *a)
{
	struct db_conn *c = &a->worker;
	struct db_request *q = a->head;
	const char *st = c->err.sqlstate;
	char why[300];

	if (!c->failed || q->settle)
		return 0;
	if (query_request(q->q) && strcmp(st, "CO008") == 0) {
		q->settle = 1;
		q->sent = 0;
		c->failed = 0;
		db_error_clear(&c->err);
		return 1;
	}
	if (!db_wrong_node(st))
		return 0;
	snprintf(why, sizeof why, "%s", c->err.message ? c->err.message : st);
	q->sent = 0; /* refused, not applied: send it on the new link */
	c->failed = 0;
	db_error_clear(&c->err);
	link_down(a, why);
	return 1;
}

/* The answer to a settling lookup: 1 when the request is complete. */
static int
settled_head(struct db_async *a, struct db_table **t)
{
	struct db_conn *c = &a->worker;
	struct db_request *q = a->head;
	struct db_table *found;

	if (!q->settle || c->failed)
		return c->failed;
	found = c->keep != NULL ? db_table_from(c->keep) : NULL;
	PQclear(c->keep);
	c->keep = NULL;
	if (found != NULL && found->nrows > 0) {
		*t = db_request_table(found);
		(*t)->settled = DB_SETTLED_CONFIRMED;
		snprintf((*t)->request_id, sizeof(*t)->request_id, "%s",
		         q->params[0]);
		db_table_free(&found);
		return 1;
	}
	db_table_free(&found);
	log_msg(LOG_INFO, "request %s was not applied; sending it again",
	        q->params[0]);
	q->settle = 0;
	q->sent = 0;
	q->resent = 1;
	return 0;
}

static void
finish_head(struct db_async *a)
{
	struct db_conn *c = &a->worker;
	struct db_request *q = a->head;
	struct db_table *t = NULL;

	loop_timer_stop(a->stmt);
	if (retry_head(a))
		return;
	if (q->settle && !settled_head(a, &t))
		return; /* not applied: pump sends it again */
	a->head = q->next;
	if (a->head == NULL)
		a->tail = NULL;
	if (t == NULL && !c->failed && c->keep != NULL)
		t = db_table_from(c->keep);
	else if (t == NULL && !c->failed)
		t = xcalloc(1, sizeof *t);
	PQclear(c->keep);
	c->keep = NULL;
	if (t != NULL && query_request(q->q)) {
		if (t->settled == DB_SETTLED_NONE && q->resent)
			t->settled = DB_SETTLED_RESENT;
		snprintf(t->request_id, sizeof t->request_id, "%s",
		         q->params[0]);
	}
	if (c->failed)
		q->done(q->arg, NULL, &c->err);
	else
		q->done(q->arg, t, NULL);
	c->failed = 0;
	db_error_clear(&c->err);
	request_free(q);
}

/* Sends the next request if the worker is idle and up. */
static void
pump(struct db_async *a)
{
	struct db_conn *c = &a->worker;
	struct db_request *q = a->head;

	if (a->link != DB_LINK_UP || q == NULL || q->sent || a->in_callback)
		return;
	log_msg(LOG_DEBUG, "query %s (async)%s", query_name(q->q),
	        q->settle ? ", settling its request id" : "");
	if (!(query_copy(q->q) && !q->settle
	          ? PQsendQuery(c->db.conn, query_sql(q->q))
	          : PQsendQueryParams(
	                c->db.conn, query_sql(q->settle ? Q_REQUEST_GET : q->q),
	                q->settle ? 1 : q->nparams, NULL,
	                (const char *const *)q->params, NULL, NULL, 0))) {
		char *msg = db_trimmed(PQerrorMessage(c->db.conn));
		link_down(a, msg);
		free(msg);
		return;
	}
	q->sent = 1;
	loop_timer_start(a->stmt, DB_STATEMENT_MS);
	if (PQflush(c->db.conn) > 0)
		loop_want_write(c->watch);
}

/*
 * Sends what libpq still holds. Returns the events to handle: while libpq
 * waits to write a large message it also reads, so the answer may already
 * sit in its buffer when the last byte goes out, and no readable event
 * would ever come for it; a finished flush is therefore handled as
 * readable too. -1 when the link went down.
 */
static int
flush_events(struct db_conn *c, unsigned events)
{
	int rc;

	if (!(events & LOOP_WRITE))
		return (int)events;
	rc = PQflush(c->db.conn);
	if (rc < 0) {
		char *msg = db_trimmed(PQerrorMessage(c->db.conn));
		link_down(c->owner, msg);
		free(msg);
		return -1;
	}
	if (rc > 0) {
		loop_want_write(c->watch);
		return (int)events;
	}
	return (int)(events | LOOP_READ);
}

static void
worker_event(struct db_conn *c, unsigned ev)
{
	struct db_async *a = c->owner;
	int events = flush_events(c, ev);

	if (events < 0 || !(events & LOOP_READ))
		return;
	if (!PQconsumeInput(c->db.conn)) {
		char *msg = db_trimmed(PQerrorMessage(c->db.conn));
		link_down(a, msg);
		free(msg);
		return;
	}
	if (a->head == NULL || !a->head->sent) {
		/* Nothing asked: notices are handled by libpq; a closed
		 * connection shows up as a failed PQconsumeInput. */
		return;
	}
	if (conn_collect(c, query_copy(a->head->q) && !a->head->settle
	                        ? a->head->params[0]
	                        : NULL)) {
		a->in_callback = 1;
		finish_head(a);
		a->in_callback = 0;
		/* The callback may have dropped the link. */
		pump(a);
	}
}

static void
listener_event(struct db_conn *c, unsigned ev)
{
	struct db_async *a = c->owner;
	int events = flush_events(c, ev);
	PGnotify *n;

	if (events < 0 || !(events & LOOP_READ))
		return;
	if (!PQconsumeInput(c->db.conn)) {
		char *msg = db_trimmed(PQerrorMessage(c->db.conn));
		link_down(a, msg);
		free(msg);
		return;
	}
	if (c->st == CS_LISTENING) {
		if (!conn_collect(c, NULL))
			return;
		if (c->failed) {
			char *msg = xstrdup(c->err.message ? c->err.message
			                                   : "LISTEN failed");
			link_down(a, msg);
			free(msg);
			return;
		}
		PQclear(c->keep);
		c->keep = NULL;
		c->st = CS_UP;
		both_up(a);
		if (a->link != DB_LINK_UP)
			return;
	}
	while (c->db.conn != NULL && (n = PQnotifies(c->db.conn)) != NULL) {
		char *payload = xstrdup(n->extra);
		PQfreemem(n);
		if (a->hooks.notify != NULL)
			a->hooks.notify(a->hooks.arg, payload);
		free(payload);
	}
}

static void
conn_event(void *arg, unsigned events)
{
	struct db_conn *c = arg;

	if (c->db.conn == NULL)
		return;
	if (c->st == CS_CONNECTING) {
		conn_poll(c);
		return;
	}
	if (c->listener)
		listener_event(c, events);
	else
		worker_event(c, events);
}

struct db_async *
db_async_new(struct loop *l, const char *conninfo,
             const struct db_async_hooks *hooks)
{
	struct db_async *a = xcalloc(1, sizeof *a);

	a->loop = l;
	a->conninfo = xstrdup(conninfo != NULL ? conninfo : "");
	if (hooks != NULL)
		a->hooks = *hooks;
	a->worker.owner = a->listen.owner = a;
	a->worker.watched_fd = a->listen.watched_fd = -1;
	a->listen.listener = 1;
	a->retry = loop_timer_new(l, retry_cb, a);
	a->deadline = loop_timer_new(l, deadline_cb, a);
	a->stmt = loop_timer_new(l, stmt_cb, a);
	a->link = DB_LINK_DOWN;
	srandom((unsigned)loop_now_ms() ^ (unsigned)getpid());
	retry_cb(a);
	return a;
}

/* Completes a request with an error, so its owner can free its argument. */
static void
cancel(struct db_request *q, const char *why)
{
	struct db_error err = {0};

	db_error_set(&err, "%s", why);
	q->done(q->arg, NULL, &err);
	db_error_clear(&err);
	request_free(q);
}

void
db_async_free(struct db_async **ap)
{
	struct db_async *a = *ap;

	if (a == NULL)
		return;
	/* The link is reported down first, so that callbacks completed
	 * below do not try to load more; anything they submit anyway is
	 * cancelled at once (db_async_submit checks closing). */
	a->closing = 1;
	conn_close(&a->worker);
	conn_close(&a->listen);
	set_link(a, DB_LINK_DOWN, "closing");
	loop_timer_free(&a->retry);
	loop_timer_free(&a->deadline);
	loop_timer_free(&a->stmt);
	while (a->head != NULL) {
		struct db_request *q = a->head;
		a->head = q->next;
		cancel(q, "cancelled: the console is closing");
	}
	free(a->conninfo);
	free(a);
	*ap = NULL;
}

void
db_async_submit(struct db_async *a, enum query_id q, int nparams,
                const char *const *params, db_done_fn done, void *arg)
{
	struct db_request *r;

	if (a->closing) {
		struct db_error err = {0};
		db_error_set(&err, "cancelled: the console is closing");
		done(arg, NULL, &err);
		db_error_clear(&err);
		return;
	}
	if (nparams + query_request(q) > DB_ASYNC_MAX_PARAMS ||
	    (query_once(q) && a->link != DB_LINK_UP)) {
		struct db_error err = {0};
		if (nparams + query_request(q) > DB_ASYNC_MAX_PARAMS)
			db_error_set(&err, "too many parameters");
		else
			db_error_set(&err,
			             "database unreachable (%s): not sent; "
			             "retry once the link is back",
			             a->why[0] ? a->why : "reconnecting");
		done(arg, NULL, &err);
		db_error_clear(&err);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->q = q;
	if (query_request(q)) {
		/* A change with a request id: $1 is the id (query.h). */
		char id[37];
		db_request_id(id);
		r->params[r->nparams++] = xstrdup(id);
	}
	for (int i = 0; i < nparams; i++)
		r->params[r->nparams++] = params[i] ? xstrdup(params[i]) : NULL;
	r->done = done;
	r->arg = arg;
	if (a->tail != NULL)
		a->tail->next = r;
	else
		a->head = r;
	a->tail = r;
	pump(a);
}

int
db_async_pending(const struct db_async *a)
{
	int n = 0;

	for (const struct db_request *q = a->head; q != NULL; q = q->next)
		n++;
	return n;
}

long long
db_async_retry_in(const struct db_async *a)
{
	long long left;

	if (a->link != DB_LINK_DOWN || a->retry_at == 0)
		return -1;
	left = a->retry_at - loop_now_ms();
	return left < 0 ? 0 : left;
}

struct db *
db_async_db(struct db_async *a)
{
	return &a->worker.db;
}
