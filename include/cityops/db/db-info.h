/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What a connection is, for `cityops doctor` and `--version --verbose`:
 * where it goes, whether it is encrypted, the server's and libpq's
 * versions. Only the database layer sees libpq.
 */
#ifndef CITYOPS_DB_INFO_H
#define CITYOPS_DB_INFO_H

#include <stddef.h>

struct db;

struct db_info {
	char host[256];   /* a host name, or "socket /run/postgresql" */
	char port[16];    /* "5432" */
	char dbname[128]; /* database */
	char user[128];   /* login */
	char tls[64];     /* "TLSv1.3" or "" when not encrypted */
	char server[32];  /* "15.10" */
	int server_num;   /* 150010 */
};

/* Fills out from an open connection. Returns 0, or -1 when it is down. */
int db_info_get(struct db *db, struct db_info *out);

/*
 * Where conninfo (NULL: the PG* environment) would connect, without
 * connecting: "socket /run/postgresql port 5432 database cityops user x".
 */
void db_info_target(const char *conninfo, char *buf, size_t bufsz);

/* libpq's version, e.g. "15.10". */
void db_info_libpq_version(char *buf, size_t bufsz);

#endif
