#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "cityops/db.h"
#include "cityops/log.h"
#include "cityops/util.h"

/* How long one statement may take before the console gives up on it. */
#define DB_STATEMENT_MS 30000

struct db {
	PGconn *conn;
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

struct db *
db_connect(const char *conninfo, int timeout_ms, struct db_error *err)
{
	long long deadline = now_ms() + timeout_ms;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	PGconn *conn;
	struct db *db;

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
	db = xcalloc(1, sizeof *db);
	db->conn = conn;
	return db;
fail : {
	char *msg = trimmed(PQerrorMessage(conn));
	db_error_set(err, "database unreachable: %s", msg);
	free(msg);
	PQfinish(conn);
	return NULL;
}
}

void
db_close(struct db **db)
{
	if (*db == NULL)
		return;
	PQfinish((*db)->conn);
	free(*db);
	*db = NULL;
}

int
db_ok(const struct db *db)
{
	return db != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

int
db_socket(const struct db *db)
{
	return db != NULL ? PQsocket(db->conn) : -1;
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
	if (!db_ok(db)) {
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
	/* Ask the server to stop; the connection is reset for the next use. */
	log_msg(LOG_WARN, "statement timed out: %.60s", sql);
	PQclear(keep);
	PQreset(db->conn);
	PQsetnonblocking(db->conn, 1);
	db_error_set(err, "database did not answer within %d ms",
	             DB_STATEMENT_MS);
	return -1;
}

int
db_run(struct db *db, enum query_id q, int nparams, const char *const *params,
       struct db_table **out, struct db_error *err)
{
	log_msg(LOG_DEBUG, "query %s", query_name(q));
	return run(db, query_sql(q), nparams, params, out, err);
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

char *
db_notification(struct db *db)
{
	PGnotify *n;
	char *payload;

	if (!db_ok(db))
		return NULL;
	PQconsumeInput(db->conn);
	n = PQnotifies(db->conn);
	if (n == NULL)
		return NULL;
	payload = xstrdup(n->extra);
	PQfreemem(n);
	return payload;
}
