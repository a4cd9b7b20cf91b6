/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What both sides of the database layer do when they open a link and when
 * an answer says the link is on the wrong node (issue 11): the connection
 * defaults that make a vanished host noticed within seconds, the SQLSTATEs
 * that mean "reconnect", request ids, and which node a link is on.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cityops/core/util.h"
#include "db-internal.h"

/*
 * Defaults given to libpq before the caller's conninfo, so that anything
 * the conninfo (or PG* environment, for settings that have one) says wins:
 * TCP keepalives probe an idle link after 5 s, every 2 s, 3 times, and
 * tcp_user_timeout drops a link whose sent data is unacknowledged for 10 s
 * (also the idle LISTEN link: keepalive probes are such data). On a unix
 * socket libpq ignores them.
 */
void
db_conn_defaults(const char **keys, const char **vals, int *n)
{
	static const char *const k[] = {"keepalives", "keepalives_idle",
	                                "keepalives_interval",
	                                "keepalives_count", "tcp_user_timeout"};
	static const char *const v[] = {"1", "5", "2", "3", "10000"};

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		keys[*n] = k[i];
		vals[(*n)++] = v[i];
	}
}

PGconn *
db_conn_start(const char *conninfo)
{
	const char *keys[8], *vals[8];
	int n = 0;

	db_conn_defaults(keys, vals, &n);
	keys[n] = "dbname";
	vals[n++] = conninfo != NULL ? conninfo : "";
	keys[n] = vals[n] = NULL;
	return PQconnectStartParams(keys, vals, 1);
}

/*
 * 1 for the SQLSTATEs that mean "this link cannot do the work, another
 * may": class 08 (connection exception), 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now (starting, or promotion under way),
 * 25006 read-only transaction (the node was demoted to a standby). The
 * statement that got one was not applied.
 */
int
db_wrong_node(const char *sqlstate)
{
	if (sqlstate == NULL || sqlstate[0] == '\0')
		return 0;
	return strncmp(sqlstate, "08", 2) == 0 ||
	       strcmp(sqlstate, "57P01") == 0 ||
	       strcmp(sqlstate, "57P02") == 0 ||
	       strcmp(sqlstate, "57P03") == 0 || strcmp(sqlstate, "25006") == 0;
}

/* A random (version 4) UUID in out (37 bytes). */
void
db_request_id(char out[37])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof b) {
		/* Never in practice; still unique enough per process. */
		struct timespec ts;
		unsigned seed;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned)ts.tv_nsec ^ (unsigned)getpid();
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)rand_r(&seed);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	         b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* "host:port" of an open link, or "" (the caller's buffer). */
void
db_conn_node(PGconn *conn, char *out, size_t size)
{
	const char *h = conn != NULL ? PQhost(conn) : NULL;
	const char *p = conn != NULL ? PQport(conn) : NULL;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK || h == NULL) {
		snprintf(out, size, "%s", "");
		return;
	}
	if (h[0] == '/')
		snprintf(out, size, "%s:%s", "本机", p ? p : "");
	else
		snprintf(out, size, "%s:%s", h, p ? p : "");
}
