/*
 * What the two sides of the database layer share: db.c (synchronous, for
 * scripts, headless and drills) and db-async.c (on the loop, with LISTEN
 * and reconnect, for the console and ingest). Not a public interface.
 */
#ifndef CITYOPS_DB_INTERNAL_H
#define CITYOPS_DB_INTERNAL_H

#include <libpq-fe.h>

#include "cityops/db/db.h"

/* How long one statement may take before the console gives up on it. */
#define DB_STATEMENT_MS 30000

#define DB_MAX_STICKY 4

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

/* libpq's message without its trailing newline; the caller frees it. */
char *db_trimmed(const char *s);
/* libpq's notice processor: notices go to the log. */
void db_notice(void *arg, const char *message);
/* A result's rows as a table; the caller frees it with db_table_free. */
struct db_table *db_table_from(PGresult *res);
/* Sets err from an error result (or conn's message when res is NULL). */
void db_error_from(PGresult *res, PGconn *conn, struct db_error *err);

#endif
