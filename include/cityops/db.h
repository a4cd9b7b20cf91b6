/*
 * The database layer: the only module that includes libpq. Results leave it
 * as plain tables of strings; errors as a struct with the SQLSTATE and the
 * server's message and hint.
 */
#ifndef CITYOPS_DB_H
#define CITYOPS_DB_H

#include "cityops/query.h"

/* How a column's values should be shown in JSON. */
enum db_kind { DB_TEXT, DB_NUMBER, DB_BOOL };

/* A query result, rows × columns; a NULL cell is SQL NULL. */
struct db_table {
	int nrows, ncols;
	char **names;        /* ncols column names */
	enum db_kind *kinds; /* ncols */
	char **cells;        /* nrows * ncols, row-major */
};

struct db_error {
	char sqlstate[6]; /* "" when the error is not from the server */
	char *message;
	char *hint;
};

struct db;

/*
 * Connects with a libpq conninfo string (NULL or "" means the PG* environment,
 * service files and .pgpass, as psql does), waiting at most timeout_ms.
 * Returns NULL and fills err on failure. Notices go to the log, never stderr.
 */
struct db *db_connect(const char *conninfo, int timeout_ms,
                      struct db_error *err);
void db_close(struct db **db);

/* Returns 1 when the connection is up. */
int db_ok(const struct db *db);

/* The descriptor to watch for notifications, or -1. */
int db_socket(const struct db *db);

/*
 * Runs a named query with text parameters (NULL for SQL NULL). Returns 0 and
 * a table the caller frees with db_table_free, or -1 with err filled. Waits
 * at most the connection's statement deadline.
 */
int db_run(struct db *db, enum query_id q, int nparams,
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

/* Takes one pending notification's payload (caller frees), or NULL. */
char *db_notification(struct db *db);

#endif
