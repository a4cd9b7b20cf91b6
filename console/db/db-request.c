/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Changes with a request id on the synchronous link (db.h, db_run; issue
 * 11). The id is made here, sent as $1, and recorded by the database in
 * the same transaction as the change (migration 031). When the answer is
 * lost the change is settled by looking the id up, never guessed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "db-internal.h"

#define DB_REQUEST_MAX_PARAMS 16
#define DB_REQUEST_SENDS      4

/* The recorded result (rows of name, value) as the command's own table:
 * one row, one column per name. */
struct db_table *
db_request_table(const struct db_table *lookup)
{
	struct db_table *t = xcalloc(1, sizeof *t);
	int n = 0;

	for (int r = 0; r < lookup->nrows; r++)
		if (db_get(lookup, r, "name") != NULL)
			n++;
	t->nrows = 1;
	t->ncols = n;
	t->names = xcalloc((size_t)n + 1, sizeof *t->names);
	t->kinds = xcalloc((size_t)n + 1, sizeof *t->kinds);
	t->cells = xcalloc((size_t)n + 1, sizeof *t->cells);
	for (int r = 0, c = 0; r < lookup->nrows; r++) {
		const char *name = db_get(lookup, r, "name");
		const char *val = db_get(lookup, r, "val");
		if (name == NULL)
			continue;
		t->names[c] = xstrdup(name);
		/* Recorded as text; the one boolean reads as libpq's. */
		if (strcmp(name, "merged") == 0) {
			t->kinds[c] = DB_BOOL;
			val = val != NULL && val[0] == 't' ? "t" : "f";
		}
		t->cells[c] = val != NULL ? xstrdup(val) : NULL;
		c++;
	}
	return t;
}

/* Looks the id up: 1 found (out set), 0 not applied, -1 error. */
static int
lookup(struct db *db, const char *id, struct db_table **out,
       struct db_error *err)
{
	struct db_table *t = NULL;
	const char *p[1] = {id};
	int found;

	if (db_send(db, query_sql(Q_REQUEST_GET), 1, p, &t, err) != 0)
		return -1;
	found = t->nrows > 0;
	if (found)
		*out = db_request_table(t);
	db_table_free(&t);
	return found;
}

static int
unknown(struct db_error *err, const char *id, const char *why)
{
	db_error_set(err,
	             "outcome unknown: the database connection was lost "
	             "while the change was running and could not be "
	             "settled (%s); request %s",
	             why ? why : "no database", id);
	if (err != NULL) {
		err->unknown = 1;
		err->hint = xasprintf("once the database is back, repeat the "
		                      "command; request %s is applied at "
		                      "most once",
		                      id);
	}
	return -1;
}

/* 1 when a failed send leaves the outcome to settle by id. */
static int
to_settle(struct db *db, const struct db_error *e)
{
	return !db_conn_ok(db) || db_wrong_node(e->sqlstate) ||
	       strcmp(e->sqlstate, "CO008") == 0;
}

static int run_request(struct db *db, enum query_id q, int nparams,
                       const char *const *params, struct db_table **out,
                       struct db_error *err);

int
db_run_request(struct db *db, enum query_id q, int nparams,
               const char *const *params, struct db_table **out,
               struct db_error *err)
{
	struct db_table *t = NULL;
	int rc = run_request(db, q, nparams, params, out ? out : &t, err);

	db_table_free(&t);
	return rc;
}

static int
run_request(struct db *db, enum query_id q, int nparams,
            const char *const *params, struct db_table **out,
            struct db_error *err)
{
	const char *p[DB_REQUEST_MAX_PARAMS + 1];
	enum db_settled how = DB_SETTLED_NONE;
	struct db_error e = {0};
	char id[37];

	if (nparams > DB_REQUEST_MAX_PARAMS) {
		db_error_set(err, "too many parameters");
		return -1;
	}
	db_request_id(id);
	p[0] = id;
	for (int i = 0; i < nparams; i++)
		p[i + 1] = params[i];
	for (int sends = 1;; sends++) {
		int found;

		if (db->conninfo != NULL && db_link_broken(db) &&
		    db_reconnect(db, err) != 0)
			return how == DB_SETTLED_NONE ? -1
			                              : unknown(err, id, NULL);
		db_error_clear(&e);
		if (db_send(db, query_sql(q), nparams + 1, p, out, &e) == 0) {
			(*out)->settled = how;
			snprintf((*out)->request_id, sizeof(*out)->request_id,
			         "%s", id);
			return 0;
		}
		if (db->conninfo == NULL || !to_settle(db, &e) ||
		    sends >= DB_REQUEST_SENDS) {
			if (to_settle(db, &e)) {
				unknown(err, id, e.message);
				db_error_clear(&e);
				return -1;
			}
			db_error_clear(err);
			*err = e;
			return -1;
		}
		/* Lost, refused as on the wrong node, or the id is taken:
		 * on a good link to the primary, ask whether it applied. */
		log_msg(LOG_WARN, "request %s (%s): %s; settling it", id,
		        query_name(q), e.message ? e.message : "link lost");
		if (db_conn_ok(db) && db_wrong_node(e.sqlstate)) {
			PQfinish(db->conn);
			db->conn = NULL;
		}
		if (!db_conn_ok(db) && db_reconnect(db, err) != 0) {
			char *why = xstrdup(err->message ? err->message : "");
			unknown(err, id, why);
			free(why);
			db_error_clear(&e);
			return -1;
		}
		found = lookup(db, id, out, err);
		if (found < 0) {
			db_error_clear(&e);
			return -1;
		}
		if (found) {
			log_msg(LOG_INFO, "request %s was applied", id);
			(*out)->settled = DB_SETTLED_CONFIRMED;
			snprintf((*out)->request_id, sizeof(*out)->request_id,
			         "%s", id);
			db_error_clear(&e);
			return 0;
		}
		log_msg(LOG_INFO,
		        "request %s was not applied; sending it again", id);
		how = DB_SETTLED_RESENT;
	}
}
