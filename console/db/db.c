/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The synchronous side of the database layer (db.h): one blocking
 * connection for scripts, headless runs, drills and `cityops db`, with
 * deadlines, reconnect and resending what is safe to resend; results as
 * plain tables. The asynchronous side, on the loop, is db-async.c.
 */
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
#include "cityops/core/util.h"
#include "db-internal.h"

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
char *
db_trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	return xstrndup(s, n);
}

void
db_notice(void *arg, const char *message)
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

/* Opens a connection to host i of conninfo by deadline; NULL with what
 * went wrong in *why (malloc'd) on failure. */
static PGconn *
open_host(const char *conninfo, int i, long long deadline, int ms, char **why)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	PGconn *conn = db_conn_start_host(conninfo, i);

	if (conn == NULL) {
		*why = xstrdup("out of memory connecting to the database");
		return NULL;
	}
	while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
	       st != PGRES_POLLING_FAILED) {
		if (wait_socket(conn, st == PGRES_POLLING_WRITING, deadline) <
		    0) {
			char buf[64];
			snprintf(buf, sizeof buf, "no answer within %d ms", ms);
			*why = xstrdup(buf);
			PQfinish(conn);
			return NULL;
		}
		st = PQconnectPoll(conn);
	}
	if (PQstatus(conn) == CONNECTION_BAD || st == PGRES_POLLING_FAILED) {
		*why = db_trimmed(PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, db_notice, NULL);
	PQsetnonblocking(conn, 1);
	return conn;
}

/*
 * Opens a connection within timeout_ms; NULL with err filled on failure.
 * The hosts of a multi-host conninfo are tried in turn, each within its
 * connect timeout (db-hosts.c), so a silent first host costs seconds.
 */
static PGconn *
open_conn(const char *conninfo, int timeout_ms, struct db_error *err)
{
	long long start = now_ms(), end = start + timeout_ms;
	int n = db_hosts_count(conninfo),
	    host_ms = db_hosts_timeout_ms(conninfo);
	char said[512] = "";
	PGconn *conn = NULL;

	for (int i = 0; i < n && conn == NULL; i++) {
		long long left = end - now_ms(), ms = left;
		char *why = NULL;
		size_t len = strlen(said);

		if (left <= 0)
			break;
		if (n > 1 && host_ms < ms)
			ms = host_ms;
		conn = open_host(conninfo, i, now_ms() + ms,
		                 n > 1 ? (int)ms : timeout_ms, &why);
		if (conn == NULL)
			snprintf(said + len, sizeof said - len, "%s%s",
			         len > 0 ? "\n" : "", why);
		free(why);
	}
	if (conn == NULL)
		db_error_set(err, "database unreachable: %s",
		             said[0] ? said : "no time left to connect");
	return conn;
}

/*
 * How long a first connection waits for a database that is down or
 * failing over (CITYOPS_CONNECT_WAIT seconds, default 30; 0 fails at once).
 */
static int
connect_wait_ms(void)
{
	const char *v = getenv("CITYOPS_CONNECT_WAIT");
	char *end;
	long s;

	if (v == NULL || *v == '\0')
		return DB_RECONNECT_MS;
	s = strtol(v, &end, 10);
	if (*end != '\0' || s < 0 || s > 3600)
		return DB_RECONNECT_MS;
	return (int)s * 1000;
}

struct db *
db_connect(const char *conninfo, int timeout_ms, struct db_error *err)
{
	struct db *db = db_connect_now(conninfo, timeout_ms, err);
	int wait;

	if (db == NULL && (wait = connect_wait_ms()) > 0) {
		/* Down or failing over as we start: wait for it, bounded,
		 * as a running session does. */
		log_msg(LOG_WARN, "%s; waiting up to %d s for the database",
		        err != NULL && err->message ? err->message
		                                    : "database unreachable",
		        wait / 1000);
		db = xcalloc(1, sizeof *db);
		db->conninfo = xstrdup(conninfo != NULL ? conninfo : "");
		db->window_ms = wait;
		if (db_reconnect(db, err) != 0) {
			db_close(&db);
			return NULL;
		}
		db->window_ms = 0;
	}
	return db;
}

struct db *
db_connect_now(const char *conninfo, int timeout_ms, struct db_error *err)
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
int
db_conn_ok(const struct db *db)
{
	return db != NULL && db->conn != NULL &&
	       PQstatus(db->conn) == CONNECTION_OK;
}

int
db_ok(const struct db *db)
{
	return db_conn_ok(db) || (db != NULL && db->conninfo != NULL);
}

void
db_node(const struct db *db, char *out, size_t size)
{
	db_conn_node(db != NULL ? db->conn : NULL, out, size);
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
	case 1184: /* timestamptz */
		return DB_TIME;
	default:
		return DB_TEXT;
	}
}

struct db_table *
db_table_from(PGresult *res)
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

void
db_error_from(PGresult *res, PGconn *conn, struct db_error *err)
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
	err->message = msg ? xstrdup(msg) : db_trimmed(PQerrorMessage(conn));
	err->hint = hint ? xstrdup(hint) : NULL;
}

/*
 * Sends a statement and collects its results without blocking past the
 * deadline. The last result that carries rows or an error wins.
 */
int
db_send(struct db *db, const char *sql, int nparams, const char *const *params,
        struct db_table **out, struct db_error *err)
{
	long long deadline = now_ms() + DB_STATEMENT_MS;
	PGresult *res, *keep = NULL;
	int failed = 0, sent;

	if (out != NULL)
		*out = NULL;
	if (!db_conn_ok(db)) {
		db_error_set(err, "database unreachable: not connected");
		return -1;
	}
	if (nparams > 0)
		sent = PQsendQueryParams(db->conn, sql, nparams, NULL, params,
		                         NULL, NULL, 0);
	else
		sent = PQsendQuery(db->conn, sql);
	if (!sent) {
		db_error_from(NULL, db->conn, err);
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
				db_error_from(NULL, db->conn, err);
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
				db_error_from(res, db->conn, err);
			failed = 1;
			break;
		}
		PQclear(res);
	}
	if (!failed && out != NULL && keep != NULL)
		*out = db_table_from(keep);
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
int
db_link_broken(struct db *db)
{
	struct pollfd pfd;

	if (!db_conn_ok(db))
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
		if (db_send(db, query_sql(k->q), k->nparams,
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
int
db_reconnect(struct db *db, struct db_error *err)
{
	long long start = now_ms();
	long long end = start + (db->gave_up     ? 0
	                         : db->window_ms ? db->window_ms
	                                         : DB_RECONNECT_MS);
	int backoff = DB_RECONNECT_FIRST_MS, attempts = 0;
	unsigned seed = (unsigned)start ^ (unsigned)getpid();
	struct db_error e = {0};

	if (db->conn != NULL) {
		char *why = db_trimmed(PQerrorMessage(db->conn));
		log_msg(LOG_WARN, "database link lost (%s); reconnecting",
		        *why ? why : "closed");
		free(why);
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db->in_tx = 0;
	for (;;) {
		long long left = end - now_ms();
		int budget =
		    left < DB_SYNC_CONNECT_MS ? (int)left : DB_SYNC_CONNECT_MS;
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
		delay = backoff / 2 +
		        (int)((unsigned)rand_r(&seed) % (unsigned)backoff);
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
	if (query_request(q) && db != NULL && !db->in_tx)
		return db_run_request(db, q, nparams, params, out, err);
	for (int sends = 1;; sends++) {
		int rc;
		char *why;

		if (db != NULL && db->conninfo != NULL && db_link_broken(db)) {
			/* Nothing of this statement reached the server yet,
			 * so even a change may go out on a new link; an open
			 * transaction, though, died with the old one. */
			if (db->in_tx) {
				db_reconnect(db, NULL);
				db_error_set(err,
				             "database connection lost inside "
				             "a transaction (the server closed "
				             "it); it was rolled back");
				return -1;
			}
			if (db_reconnect(db, err) != 0)
				return -1;
		}
		rc = db_send(db, query_sql(q), nparams, params, out, err);
		if (rc != 0 && db_conn_ok(db) && db->conninfo != NULL &&
		    !db->in_tx && err != NULL && db_wrong_node(err->sqlstate) &&
		    PQtransactionStatus(db->conn) == PQTRANS_IDLE &&
		    sends < DB_MAX_RESENDS) {
			/* Refused as on the wrong node (a demoted primary):
			 * not applied, so it may go out on a new link. */
			log_msg(LOG_WARN, "query %s: %s; reconnecting",
			        query_name(q), err->message);
			PQfinish(db->conn);
			db->conn = NULL;
			db_error_clear(err);
			if (db_reconnect(db, err) != 0)
				return -1;
			continue;
		}
		if (rc == 0 || db_conn_ok(db) || db == NULL ||
		    db->conninfo == NULL) {
			if (db_conn_ok(db))
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
			log_msg(LOG_WARN,
			        "query %s lost its link; sending it "
			        "again after reconnecting",
			        query_name(q));
			if (db_reconnect(db, err) != 0)
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
	return db_send(db, sql, 0, NULL, NULL, err);
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
