#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cityops/db/db.h"
#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"

/* How long one statement may take before the console gives up on it. */
#define DB_STATEMENT_MS 30000

/*
 * A synchronous connection (headless, drills, db) that lost its link
 * re-opens it: at once, then after 250 ms, 500 ms, 1 s, 2 s and every 4 s
 * (each ±50 %), for at most DB_RECONNECT_MS in all. Each attempt has its
 * own connect deadline (DB_SYNC_CONNECT_MS, less if the window ends
 * sooner).
 */
#define DB_RECONNECT_MS       30000
#define DB_RECONNECT_FIRST_MS 250
#define DB_RECONNECT_MAX_MS   4000
#define DB_SYNC_CONNECT_MS    5000
/* A read that loses its link this many times in a row is not tried again. */
#define DB_MAX_RESENDS 3
#define DB_MAX_STICKY  4

/* A statement that set session state, run again after every reconnect. */
struct db_sticky {
	enum query_id q;
	int nparams;
	char **params;
};

struct db {
	PGconn *conn;
	char *conninfo; /* set by db_connect: the link may be re-opened */
	int gave_up;    /* the last reconnect window ran out */
	int in_tx;      /* the last statement left a transaction open */
	struct db_sticky sticky[DB_MAX_STICKY];
	int nsticky;
};

void
db_error_clear(struct db_error *err)
{
	if (err == NULL)
		return;
	free(err->message);
	free(err->hint);
	memset(err, 0, sizeof *err);
}

void
db_error_set(struct db_error *err, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (err == NULL)
		return;
	db_error_clear(err);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = xstrdup("error");
	va_end(ap);
	err->message = msg;
}

/* libpq's message ends with a newline; strip it. */
static char *
trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	return xstrndup(s, n);
}

static void
notice(void *arg, const char *message)
{
	log_msg(LOG_INFO, "postgres: %s", message);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for the socket until deadline; returns 0, or -1 on timeout/error. */
static int
wait_socket(PGconn *conn, int for_write, long long deadline)
{
	struct pollfd pfd = {.fd = PQsocket(conn),
	                     .events = for_write ? POLLOUT : POLLIN};

	for (;;) {
		long long left = deadline - now_ms();
		int rc;

		if (left <= 0)
			return -1;
		rc = poll(&pfd, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Opens a connection within timeout_ms; NULL with err filled on failure. */
static PGconn *
open_conn(const char *conninfo, int timeout_ms, struct db_error *err)
{
	long long deadline = now_ms() + timeout_ms;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	PGconn *conn;

	conn = PQconnectStart(conninfo != NULL ? conninfo : "");
	if (conn == NULL) {
		db_error_set(err, "out of memory connecting to the database");
		return NULL;
	}
	if (PQstatus(conn) == CONNECTION_BAD)
		goto fail;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED)
			goto fail;
		if (wait_socket(conn, st == PGRES_POLLING_WRITING, deadline) <
		    0) {
			db_error_set(err,
			             "database unreachable: no answer "
			             "within %d ms",
			             timeout_ms);
			PQfinish(conn);
			return NULL;
		}
		st = PQconnectPoll(conn);
	}
	PQsetNoticeProcessor(conn, notice, NULL);
	PQsetnonblocking(conn, 1);
	return conn;
fail : {
	char *msg = trimmed(PQerrorMessage(conn));
	db_error_set(err, "database unreachable: %s", msg);
	free(msg);
	PQfinish(conn);
	return NULL;
}
}

struct db *
db_connect(const char *conninfo, int timeout_ms, struct db_error *err)
{
	PGconn *conn = open_conn(conninfo, timeout_ms, err);
	struct db *db;

	if (conn == NULL)
		return NULL;
	db = xcalloc(1, sizeof *db);
	db->conn = conn;
	db->conninfo = xstrdup(conninfo != NULL ? conninfo : "");
	return db;
}

static void
sticky_clear(struct db_sticky *k)
{
	for (int i = 0; i < k->nparams; i++)
		free(k->params[i]);
	free(k->params);
	memset(k, 0, sizeof *k);
}

void
db_close(struct db **db)
{
	if (*db == NULL)
		return;
	if ((*db)->conn != NULL)
		PQfinish((*db)->conn);
	for (int i = 0; i < (*db)->nsticky; i++)
		sticky_clear(&(*db)->sticky[i]);
	free((*db)->conninfo);
	free(*db);
	*db = NULL;
}

/* 1 when the connection is open as far as libpq knows. */
static int
conn_ok(const struct db *db)
{
	return db != NULL && db->conn != NULL &&
	       PQstatus(db->conn) == CONNECTION_OK;
}

int
db_ok(const struct db *db)
{
	return conn_ok(db) || (db != NULL && db->conninfo != NULL);
}

static enum db_kind
kind_of(Oid type)
{
	switch (type) {
	case 20:   /* int8 */
	case 21:   /* int2 */
	case 23:   /* int4 */
	case 700:  /* float4 */
	case 701:  /* float8 */
	case 1700: /* numeric */
		return DB_NUMBER;
	case 16: /* bool */
		return DB_BOOL;
	default:
		return DB_TEXT;
	}
}

static struct db_table *
table_from(PGresult *res)
{
	struct db_table *t = xcalloc(1, sizeof *t);

	t->nrows = PQntuples(res);
	t->ncols = PQnfields(res);
	t->names = xcalloc((size_t)t->ncols, sizeof *t->names);
	t->kinds = xcalloc((size_t)t->ncols, sizeof *t->kinds);
	t->cells =
	    xcalloc((size_t)t->nrows * (size_t)t->ncols + 1, sizeof *t->cells);
	for (int c = 0; c < t->ncols; c++) {
		t->names[c] = xstrdup(PQfname(res, c));
		t->kinds[c] = kind_of(PQftype(res, c));
	}
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			if (!PQgetisnull(res, r, c))
				t->cells[r * t->ncols + c] =
				    xstrdup(PQgetvalue(res, r, c));
	return t;
}

static void
error_from(PGresult *res, PGconn *conn, struct db_error *err)
{
	const char *state =
	    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg =
	    res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *hint =
	    res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

	db_error_clear(err);
	if (err == NULL)
		return;
	if (state != NULL)
		snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state);
	err->message = msg ? xstrdup(msg) : trimmed(PQerrorMessage(conn));
	err->hint = hint ? xstrdup(hint) : NULL;
}

/*
 * Sends a statement and collects its results without blocking past the
 * deadline. The last result that carries rows or an error wins.
 */
static int
run(struct db *db, const char *sql, int nparams, const char *const *params,
    struct db_table **out, struct db_error *err)
{
	long long deadline = now_ms() + DB_STATEMENT_MS;
	PGresult *res, *keep = NULL;
	int failed = 0, sent;

	if (out != NULL)
		*out = NULL;
	if (!conn_ok(db)) {
		db_error_set(err, "database unreachable: not connected");
		return -1;
	}
	if (nparams > 0)
		sent = PQsendQueryParams(db->conn, sql, nparams, NULL, params,
		                         NULL, NULL, 0);
	else
		sent = PQsendQuery(db->conn, sql);
	if (!sent) {
		error_from(NULL, db->conn, err);
		return -1;
	}
	while (PQflush(db->conn) > 0)
		if (wait_socket(db->conn, 1, deadline) < 0)
			goto timeout;
	for (;;) {
		while (PQisBusy(db->conn)) {
			if (wait_socket(db->conn, 0, deadline) < 0)
				goto timeout;
			if (!PQconsumeInput(db->conn)) {
				error_from(NULL, db->conn, err);
				PQclear(keep);
				return -1;
			}
		}
		res = PQgetResult(db->conn);
		if (res == NULL)
			break;
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			if (!failed) {
				PQclear(keep);
				keep = res;
				res = NULL;
			}
			break;
		default:
			if (!failed)
				error_from(res, db->conn, err);
			failed = 1;
			break;
		}
		PQclear(res);
	}
	if (!failed && out != NULL && keep != NULL)
		*out = table_from(keep);
	PQclear(keep);
	return failed ? -1 : 0;
timeout:
	/* Hang up, which also ends the statement on the server; the next
	 * use opens a new connection (bounded, see reconnect), where one
	 * made by db_connect can. */
	log_msg(LOG_WARN, "statement timed out: %.60s", sql);
	PQclear(keep);
	PQfinish(db->conn);
	db->conn = NULL;
	db_error_set(err, "database did not answer within %d ms",
	             DB_STATEMENT_MS);
	return -1;
}

/*
 * Returns 1 when the link is known to be broken: libpq says so, or the
 * server hung up on the idle connection since the last statement (a
 * restart or an administrator ends sessions with a message and a close,
 * which wait unread in the socket). Reads what is waiting, never blocks.
 */
static int
link_broken(struct db *db)
{
	struct pollfd pfd;

	if (!conn_ok(db))
		return 1;
	pfd.fd = PQsocket(db->conn);
	pfd.events = POLLIN;
	for (int i = 0; i < 16 && poll(&pfd, 1, 0) > 0; i++) {
		PGnotify *n;
		PGresult *res;

		if (!PQconsumeInput(db->conn) ||
		    PQstatus(db->conn) != CONNECTION_OK)
			return 1;
		while ((n = PQnotifies(db->conn)) != NULL)
			PQfreemem(n);
		while (!PQisBusy(db->conn) &&
		       (res = PQgetResult(db->conn)) != NULL)
			PQclear(res);
	}
	return 0;
}

static void
pause_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
	                      .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Runs the remembered session settings on a new connection; 0 or -1. */
static int
replay_sticky(struct db *db, struct db_error *err)
{
	for (int i = 0; i < db->nsticky; i++) {
		const struct db_sticky *k = &db->sticky[i];
		if (run(db, query_sql(k->q), k->nparams,
		        (const char *const *)k->params, NULL, err) != 0)
			return -1;
	}
	return 0;
}

/*
 * Re-opens a lost link with bounded backoff (see DB_RECONNECT_MS) and
 * restores the session's settings. After a window ran out without success
 * (the database is down for good), one attempt only, so that a script of
 * many commands does not wait the whole window for each. 0, or -1 with
 * err filled.
 */
static int
reconnect(struct db *db, struct db_error *err)
{
	long long start = now_ms();
	long long end = start + (db->gave_up ? 0 : DB_RECONNECT_MS);
	int backoff = DB_RECONNECT_FIRST_MS, attempts = 0;
	unsigned seed = (unsigned)start ^ (unsigned)getpid();
	struct db_error e = {0};

	if (db->conn != NULL) {
		char *why = trimmed(PQerrorMessage(db->conn));
		log_msg(LOG_WARN, "database link lost (%s); reconnecting",
		        *why ? why : "closed");
		free(why);
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db->in_tx = 0;
	for (;;) {
		long long left = end - now_ms();
		int budget = left < DB_SYNC_CONNECT_MS ? (int)left
		                                       : DB_SYNC_CONNECT_MS;
		int delay;

		/* The last attempt of a window, or the one attempt after
		 * one ran out, still gets a fair deadline. */
		if (budget < 1000)
			budget = db->gave_up ? DB_SYNC_CONNECT_MS : 1000;
		attempts++;
		db->conn = open_conn(db->conninfo, budget, &e);
		if (db->conn != NULL && replay_sticky(db, &e) == 0) {
			log_msg(LOG_INFO,
			        "database link up again after %lld ms "
			        "(%d attempts)",
			        now_ms() - start, attempts);
			db->gave_up = 0;
			db_error_clear(&e);
			return 0;
		}
		if (db->conn != NULL) {
			PQfinish(db->conn);
			db->conn = NULL;
		}
		delay = backoff / 2 + (int)((unsigned)rand_r(&seed) % (unsigned)backoff);
		if (now_ms() + delay >= end)
			break;
		pause_ms(delay);
		if ((backoff *= 2) > DB_RECONNECT_MAX_MS)
			backoff = DB_RECONNECT_MAX_MS;
	}
	db->gave_up = 1;
	db_error_clear(err);
	if (err != NULL) {
		err->message = xasprintf(
		    "%s (gave up reconnecting after %lld ms, %d attempts)",
		    e.message ? e.message : "database unreachable",
		    now_ms() - start, attempts);
		err->hint = xstrdup("the database did not come back; check "
		                    "that it runs, then repeat the command");
	}
	db_error_clear(&e);
	return -1;
}

/* The first line of a libpq message without its severity; the caller
 * frees. */
static char *
first_line(const char *msg)
{
	if (msg == NULL || *msg == '\0')
		return xstrdup("connection lost");
	if (strncmp(msg, "FATAL:", 6) == 0)
		msg += 6 + strspn(msg + 6, " ");
	return xstrndup(msg, strcspn(msg, "\n"));
}

int
db_run(struct db *db, enum query_id q, int nparams, const char *const *params,
       struct db_table **out, struct db_error *err)
{
	log_msg(LOG_DEBUG, "query %s", query_name(q));
	for (int sends = 1;; sends++) {
		int rc;
		char *why;

		if (db != NULL && db->conninfo != NULL && link_broken(db)) {
			/* Nothing of this statement reached the server yet,
			 * so even a change may go out on a new link; an open
			 * transaction, though, died with the old one. */
			if (db->in_tx) {
				reconnect(db, NULL);
				db_error_set(err,
				             "database connection lost inside "
				             "a transaction (the server closed "
				             "it); it was rolled back");
				return -1;
			}
			if (reconnect(db, err) != 0)
				return -1;
		}
		rc = run(db, query_sql(q), nparams, params, out, err);
		if (rc == 0 || conn_ok(db) || db == NULL ||
		    db->conninfo == NULL) {
			if (conn_ok(db))
				db->in_tx = PQtransactionStatus(db->conn) !=
				            PQTRANS_IDLE;
			return rc;
		}
		/* The link went down while the statement ran. The server's
		 * first line says why ("FATAL:  terminating connection due
		 * to administrator command"); the rest is its context. */
		why = first_line(err != NULL ? err->message : NULL);
		if (db->in_tx) {
			db_error_set(err,
			             "database connection lost inside a "
			             "transaction (%s); it was rolled back",
			             why);
		} else if (query_once(q)) {
			/* It may or may not have been applied: say so and
			 * never send it again on our own. */
			db_error_set(err,
			             "outcome unknown: the database "
			             "connection was lost while the change "
			             "was running (%s); it may or may not "
			             "have been applied and was not sent "
			             "again",
			             why);
			if (err != NULL) {
				err->unknown = 1;
				err->hint = xstrdup(
				    "check whether it was applied before "
				    "repeating it");
			}
		} else if (sends >= DB_MAX_RESENDS) {
			db_error_set(err,
			             "database unreachable: the connection "
			             "was lost %d times running this (%s)",
			             sends, why);
		} else {
			/* A read, or a write that is idempotent by design:
			 * send it again on a new link, forgetting this
			 * attempt's error (a success must leave err empty). */
			free(why);
			db_error_clear(err);
			log_msg(LOG_WARN, "query %s lost its link; sending it "
			        "again after reconnecting", query_name(q));
			if (reconnect(db, err) != 0)
				return -1;
			continue;
		}
		free(why);
		return -1;
	}
}

int
db_run_sticky(struct db *db, enum query_id q, int nparams,
              const char *const *params, struct db_table **out,
              struct db_error *err)
{
	struct db_sticky *k = NULL;

	if (db_run(db, q, nparams, params, out, err) != 0)
		return -1;
	for (int i = 0; i < db->nsticky; i++)
		if (db->sticky[i].q == q)
			k = &db->sticky[i];
	if (k == NULL) {
		assert(db->nsticky < DB_MAX_STICKY);
		k = &db->sticky[db->nsticky++];
	}
	sticky_clear(k);
	k->q = q;
	k->nparams = nparams;
	k->params = xcalloc((size_t)nparams + 1, sizeof *k->params);
	for (int i = 0; i < nparams; i++)
		k->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	return 0;
}

int
db_exec_script(struct db *db, const char *sql, struct db_error *err)
{
	return run(db, sql, 0, NULL, NULL, err);
}

int
db_col(const struct db_table *t, const char *name)
{
	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->names[c], name) == 0)
			return c;
	return -1;
}

const char *
db_get(const struct db_table *t, int row, const char *name)
{
	int c = db_col(t, name);

	if (c < 0 || row < 0 || row >= t->nrows)
		return NULL;
	return t->cells[row * t->ncols + c];
}

void
db_table_free(struct db_table **tp)
{
	struct db_table *t = *tp;

	if (t == NULL)
		return;
	for (int c = 0; c < t->ncols; c++)
		free(t->names[c]);
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->names);
	free(t->kinds);
	free(t->cells);
	free(t);
	*tp = NULL;
}

/*
 * The asynchronous side. Each connection is a small state machine driven
 * by its socket's readiness reports from the loop and by timers; the loop
 * watches a dup() of PQsocket(), re-adopted whenever the socket changes
 * (libpq opens a new one for each host it tries and on every reconnect).
 */

#define DB_CONNECT_MS       5000
#define DB_BACKOFF_MIN      250
#define DB_BACKOFF_MAX      15000
#define DB_ASYNC_MAX_PARAMS 16

struct db_request {
	struct db_request *next;
	enum query_id q;
	int nparams;
	char *params[DB_ASYNC_MAX_PARAMS];
	db_done_fn done;
	void *arg;
	int sent;
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
	char why[256];
	int in_callback;
	int closing; /* db_async_free is cancelling what is pending */
};

static void conn_event(void *arg, unsigned events);
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
	c->db.conn = PQconnectStart(c->owner->conninfo);
	if (c->db.conn == NULL || PQstatus(c->db.conn) == CONNECTION_BAD) {
		char *msg = c->db.conn ? trimmed(PQerrorMessage(c->db.conn))
		                       : xstrdup("out of memory");
		link_down(c->owner, msg);
		free(msg);
		return;
	}
	PQsetNoticeProcessor(c->db.conn, notice, NULL);
	c->st = CS_CONNECTING;
	c->poll = PGRES_POLLING_WRITING;
	conn_rewatch(c);
	loop_want_write(c->watch);
}

static void
retry_cb(void *arg)
{
	struct db_async *a = arg;

	a->retry_at = 0;
	set_link(a, DB_LINK_CONNECTING, NULL);
	loop_timer_start(a->deadline, DB_CONNECT_MS);
	conn_start(&a->worker);
	if (a->link == DB_LINK_CONNECTING)
		conn_start(&a->listen);
}

static void
deadline_cb(void *arg)
{
	struct db_async *a = arg;
	char why[96];

	snprintf(why, sizeof why, "no answer within %d ms", DB_CONNECT_MS);
	link_down(a, why);
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
		if (q->sent && query_once(q->q)) {
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
	if (a->worker.st != CS_UP || a->listen.st != CS_UP)
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
		char *msg = trimmed(PQerrorMessage(c->db.conn));
		link_down(c->owner, msg);
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
			both_up(c->owner);
			return;
		}
		if (!PQsendQuery(c->db.conn, query_sql(Q_LISTEN))) {
			char *msg = trimmed(PQerrorMessage(c->db.conn));
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

/* Drains results; returns 1 when the command is complete. */
static int
conn_collect(struct db_conn *c)
{
	PGresult *res;

	while (!PQisBusy(c->db.conn)) {
		res = PQgetResult(c->db.conn);
		if (res == NULL)
			return 1;
		switch (PQresultStatus(res)) {
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
				error_from(res, c->db.conn, &c->err);
			c->failed = 1;
			break;
		}
		PQclear(res);
	}
	return 0;
}

static void
finish_head(struct db_async *a)
{
	struct db_conn *c = &a->worker;
	struct db_request *q = a->head;
	struct db_table *t = NULL;

	loop_timer_stop(a->stmt);
	a->head = q->next;
	if (a->head == NULL)
		a->tail = NULL;
	if (!c->failed && c->keep != NULL)
		t = table_from(c->keep);
	else if (!c->failed)
		t = xcalloc(1, sizeof *t);
	PQclear(c->keep);
	c->keep = NULL;
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
	log_msg(LOG_DEBUG, "query %s (async)", query_name(q->q));
	if (!PQsendQueryParams(c->db.conn, query_sql(q->q), q->nparams, NULL,
	                       (const char *const *)q->params, NULL, NULL, 0)) {
		char *msg = trimmed(PQerrorMessage(c->db.conn));
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
		char *msg = trimmed(PQerrorMessage(c->db.conn));
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
		char *msg = trimmed(PQerrorMessage(c->db.conn));
		link_down(a, msg);
		free(msg);
		return;
	}
	if (a->head == NULL || !a->head->sent) {
		/* Nothing asked: notices are handled by libpq; a closed
		 * connection shows up as a failed PQconsumeInput. */
		return;
	}
	if (conn_collect(c)) {
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
		char *msg = trimmed(PQerrorMessage(c->db.conn));
		link_down(a, msg);
		free(msg);
		return;
	}
	if (c->st == CS_LISTENING) {
		if (!conn_collect(c))
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
	if (nparams > DB_ASYNC_MAX_PARAMS ||
	    (query_once(q) && a->link != DB_LINK_UP)) {
		struct db_error err = {0};
		if (nparams > DB_ASYNC_MAX_PARAMS)
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
	r->nparams = nparams;
	for (int i = 0; i < nparams; i++)
		r->params[i] = params[i] ? xstrdup(params[i]) : NULL;
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
