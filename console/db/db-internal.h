/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
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
	int window_ms;  /* reconnect window when not the default */
	struct db_sticky sticky[DB_MAX_STICKY];
	int nsticky;
};

/* Starts a link with the continuity defaults (db-conn.c). */
PGconn *db_conn_start(const char *conninfo);
/* The keepalive defaults db_conn_start gives libpq, appended at *n. */
void db_conn_defaults(const char **keys, const char **vals, int *n);
/* db-hosts.c: the hosts of a conninfo (or PGHOST), one at a time. */
int db_hosts_count(const char *conninfo);
int db_hosts_timeout_ms(const char *conninfo);
PGconn *db_conn_start_host(const char *conninfo, int i);
/* 1 for a SQLSTATE meaning "reconnect: wrong node or link gone". */
int db_wrong_node(const char *sqlstate);
/* A new random request id (UUID text, 36 characters). */
void db_request_id(char out[37]);
/* "host:port" of an open link, or "". */
void db_conn_node(PGconn *conn, char *out, size_t size);

/* db.c's own steps, shared with db-request.c. */
int db_conn_ok(const struct db *db);
int db_send(struct db *db, const char *sql, int nparams,
            const char *const *params, struct db_table **out,
            struct db_error *err);
int db_link_broken(struct db *db);
int db_reconnect(struct db *db, struct db_error *err);
/* db_run for a REQ query (db-request.c). */
int db_run_request(struct db *db, enum query_id q, int nparams,
                   const char *const *params, struct db_table **out,
                   struct db_error *err);
/* The table a settled request's recorded result makes (db-request.c). */
struct db_table *db_request_table(const struct db_table *lookup);

/* libpq's message without its trailing newline; the caller frees it. */
char *db_trimmed(const char *s);
/* libpq's notice processor: notices go to the log. */
void db_notice(void *arg, const char *message);
/* A result's rows as a table; the caller frees it with db_table_free. */
struct db_table *db_table_from(PGresult *res);
/* Sets err from an error result (or conn's message when res is NULL). */
void db_error_from(PGresult *res, PGconn *conn, struct db_error *err);

#endif
