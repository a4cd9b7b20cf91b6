/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* What a connection is (include/cityops/db/db-info.h). */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "cityops/db/db-info.h"
#include "db-internal.h"

static void
version_text(int num, char *buf, size_t bufsz)
{
	/* 10 and later: MMmmmm (major, minor). */
	if (num >= 100000)
		snprintf(buf, bufsz, "%d.%d", num / 10000, num % 10000);
	else
		snprintf(buf, bufsz, "%d.%d.%d", num / 10000, num / 100 % 100,
		         num % 100);
}

static void
host_text(const char *host, const char *hostaddr, char *buf, size_t bufsz)
{
	if (host == NULL || host[0] == '\0')
		host = hostaddr;
	if (host == NULL || host[0] == '\0' || host[0] == '/')
		snprintf(buf, bufsz, "socket %s",
		         host && host[0] ? host : "(libpq default)");
	else
		snprintf(buf, bufsz, "%s", host);
}

int
db_info_get(struct db *db, struct db_info *out)
{
	PGconn *c = db != NULL ? db->conn : NULL;
	const char *proto;

	memset(out, 0, sizeof *out);
	if (c == NULL || PQstatus(c) != CONNECTION_OK)
		return -1;
	host_text(PQhost(c), NULL, out->host, sizeof out->host);
	snprintf(out->port, sizeof out->port, "%s", PQport(c));
	snprintf(out->dbname, sizeof out->dbname, "%s", PQdb(c));
	snprintf(out->user, sizeof out->user, "%s", PQuser(c));
	if (PQsslInUse(c)) {
		proto = PQsslAttribute(c, "protocol");
		snprintf(out->tls, sizeof out->tls, "%s",
		         proto ? proto : "TLS");
	}
	out->server_num = PQserverVersion(c);
	version_text(out->server_num, out->server, sizeof out->server);
	return 0;
}

/* The value of keyword in opts, or "". */
static const char *
opt_value(const PQconninfoOption *opts, const char *keyword)
{
	for (const PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return o->val ? o->val : "";
	return "";
}

void
db_info_target(const char *conninfo, char *buf, size_t bufsz)
{
	/* PQconninfoParse gives only what the string says; the rest comes
	 * from the environment and libpq's defaults, as PQconnectdb does. */
	PQconninfoOption *given =
	    PQconninfoParse(conninfo ? conninfo : "", NULL);
	PQconninfoOption *dflt = PQconndefaults();
	const char *k[] = {"host", "hostaddr", "port", "dbname", "user"};
	const char *v[5];
	char host[300];

	for (int i = 0; i < 5; i++) {
		v[i] = opt_value(given, k[i]);
		if (v[i][0] == '\0')
			v[i] = opt_value(dflt, k[i]);
	}
	host_text(v[0], v[1], host, sizeof host);
	snprintf(buf, bufsz, "%s port %s database %s user %s", host,
	         v[2][0] ? v[2] : "5432", v[3][0] ? v[3] : v[4], v[4]);
	PQconninfoFree(given);
	PQconninfoFree(dflt);
}

void
db_info_libpq_version(char *buf, size_t bufsz)
{
	version_text(PQlibVersion(), buf, bufsz);
}
