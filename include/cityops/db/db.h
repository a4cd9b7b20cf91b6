/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The database layer: the only module that includes libpq. Results leave it
 * as plain tables of strings; errors as a struct with the SQLSTATE and the
 * server's message and hint.
 */
#ifndef CITYOPS_DB_H
#define CITYOPS_DB_H

#include <stddef.h>

#include "cityops/db/query.h"

/* How a column's values should be shown in JSON. */
/* DB_TIME: a timestamptz, as PostgreSQL prints it in the session's zone. */
enum db_kind { DB_TEXT, DB_NUMBER, DB_BOOL, DB_TIME };

/* How a change with a request id (query.h, REQ) was settled. */
enum db_settled {
	DB_SETTLED_NONE,      /* answered on the first send */
	DB_SETTLED_CONFIRMED, /* the link was lost; the id was found applied */
	DB_SETTLED_RESENT     /* the link was lost; not applied: sent again */
};

/* A query result, rows × columns; a NULL cell is SQL NULL. */
struct db_table {
	int nrows, ncols;
	char **names;        /* ncols column names */
	enum db_kind *kinds; /* ncols */
	char **cells;        /* nrows * ncols, row-major */
	enum db_settled settled;
	char request_id[37]; /* a REQ query's request id, else "" */
};

struct db_error {
	char sqlstate[6]; /* "" when the error is not from the server */
	char *message;
	char *hint;
	int unknown; /* a change was running when the link went down: it may
	                or may not have been applied (outcome_unknown) */
};

struct db;

/*
 * Connects with a libpq conninfo string (NULL or "" means the PG* environment,
 * service files and .pgpass, as psql does; several hosts and
 * target_session_attrs=read-write as libpq takes them), waiting at most
 * timeout_ms; when that fails (the database is down or failing over) it
 * tries again with backoff for CITYOPS_CONNECT_WAIT seconds (default 30,
 * 0: fail at once). Returns NULL and fills err on failure. Notices go to
 * the log, never stderr. Every link gets TCP keepalives and
 * tcp_user_timeout unless the conninfo sets them (db-conn.c).
 *
 * A connection made here rides out a restart of the database: when its
 * link is lost, the next db_run re-opens it with backoff (at once, then
 * 250 ms doubling to 4 s, ±50 %) for at most 30 s, and after a window ran
 * out without success tries once per call. See db_run for what is sent
 * again.
 */
struct db *db_connect(const char *conninfo, int timeout_ms,
                      struct db_error *err);
/* As db_connect, but one attempt when it starts: for a diagnosis, which
 * must say at once that the database cannot be reached (`cityops
 * doctor`), not wait for it to come back. */
struct db *db_connect_now(const char *conninfo, int timeout_ms,
                          struct db_error *err);
void db_close(struct db **db);

/*
 * Returns 1 when the connection is up or, for one made by db_connect,
 * can be re-opened by db_run.
 */
int db_ok(const struct db *db);

/* "host:port" of the node the link is on now, or "" when down. */
void db_node(const struct db *db, char *out, size_t size);

/*
 * Runs a named query with text parameters (NULL for SQL NULL). Returns 0 and
 * a table the caller frees with db_table_free, or -1 with err filled. Waits
 * at most the connection's statement deadline.
 *
 * A REQ query (query.h) gets a new request id as $1 before params (so
 * nparams counts the caller's parameters only). When its link is lost, or
 * it hears a "wrong node" SQLSTATE (class 08, 57P01-57P03, 25006), it
 * reconnects and looks the id up: found, the recorded result comes back
 * with settled DB_SETTLED_CONFIRMED; not found, it is sent again with the
 * same id (DB_SETTLED_RESENT). A duplicate id never applies twice.
 *
 * On a connection from db_connect whose link is lost: found broken before
 * sending (a restart while idle), it reconnects first and sends the
 * statement once. Lost while the statement ran, a SAFE query (query.h) is
 * sent again on a new link (up to three times); a ONCE query fails with
 * err->unknown set and an "outcome unknown" message, and is never sent
 * again. Inside a transaction nothing is resent: the transaction is gone.
 */
int db_run(struct db *db, enum query_id q, int nparams,
           const char *const *params, struct db_table **out,
           struct db_error *err);

/*
 * As db_run, for a statement that sets session state (set_config): once it
 * succeeded it is run again first on every new link, the last parameters
 * kept, so a reconnect does not lose the session's settings.
 */
int db_run_sticky(struct db *db, enum query_id q, int nparams,
                  const char *const *params, struct db_table **out,
                  struct db_error *err);

/* Runs SQL text with no parameters (migrations); no result is kept. */
int db_exec_script(struct db *db, const char *sql, struct db_error *err);

/* Column index by name, or -1. */
int db_col(const struct db_table *t, const char *name);
/* The cell at (row, named column); NULL for SQL NULL or no such column. */
const char *db_get(const struct db_table *t, int row, const char *name);
void db_table_free(struct db_table **t);

void db_error_clear(struct db_error *err);
/* Sets a client-side error (no SQLSTATE). */
void db_error_set(struct db_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The asynchronous side, for the console's event loop (loop.h). Two
 * connections: a worker that runs queued requests one at a time without
 * blocking, and a listener that LISTENs on channel cityops. Either failing
 * takes both down; they reconnect with jittered backoff and their own
 * connect deadline, and the owner is told (state hook) so it can show a
 * banner and resync everything once the link is up again.
 */
struct loop;
struct db_async;

enum db_link { DB_LINK_DOWN, DB_LINK_CONNECTING, DB_LINK_UP };

struct db_async_hooks {
	/* The link changed; why is a sentence when it went down, else NULL. */
	void (*state)(void *arg, enum db_link link, const char *why);
	/* A NOTIFY payload on channel cityops (borrowed for the call).
	 * NULL: no listener connection and no LISTEN at all (the change
	 * records come from elsewhere, e.g. cityops relay). */
	void (*notify)(void *arg, const char *payload);
	void *arg;
};

/*
 * Called once per request: t is the result the callee now owns (free with
 * db_table_free), or NULL with err filled (err is borrowed for the call).
 */
typedef void (*db_done_fn)(void *arg, struct db_table *t,
                           const struct db_error *err);

/* Starts connecting at once; returns the handle (free with db_async_free). */
struct db_async *db_async_new(struct loop *l, const char *conninfo,
                              const struct db_async_hooks *hooks);
/*
 * Closes both connections. Pending requests are completed with a
 * "cancelled" error (after the link is reported down), so that their
 * owners free what they passed; a request submitted while closing is
 * completed the same way at once.
 */
void db_async_free(struct db_async **ap);

/*
 * Queues a named query (parameters copied). A query marked SAFE in
 * query.h (reads, idempotent writes) waits through an outage and is resent
 * after reconnecting; one marked ONCE (a change) is refused at once while
 * the link is down and fails if the link drops while it runs, since it
 * cannot be known whether it was applied.
 */
void db_async_submit(struct db_async *a, enum query_id q, int nparams,
                     const char *const *params, db_done_fn done, void *arg);

/* Requests queued or running. */
int db_async_pending(const struct db_async *a);
/* Milliseconds until the next reconnect attempt, or -1 when not waiting. */
long long db_async_retry_in(const struct db_async *a);
/* The worker connection as a struct db, for the command engine's checks. */
struct db *db_async_db(struct db_async *a);

#endif
