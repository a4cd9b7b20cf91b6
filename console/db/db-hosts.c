/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * One host at a time for the asynchronous connect (issue 11). libpq's
 * connect_timeout applies per host only in its blocking PQconnectdb; a
 * PQconnectPoll loop gets no such timing, so a first host that vanished
 * (its packets dropped) used up the whole connect deadline and the next
 * host was never tried. The async side therefore splits a multi-host
 * conninfo (host=a,b port=p,q, or PGHOST/PGPORT) into one connection per
 * host, each with its own timer (db_hosts_timeout_ms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "db-internal.h"

#define DB_HOST_DEFAULT_MS 5000
#define DB_HOST_MAX_OPTS   80

/* The value of keyword in opts, or NULL. */
static const char *
opt(const PQconninfoOption *opts, const char *keyword)
{
	for (; opts != NULL && opts->keyword != NULL; opts++)
		if (strcmp(opts->keyword, keyword) == 0)
			return opts->val != NULL && opts->val[0] ? opts->val
			                                         : NULL;
	return NULL;
}

/* The caller's value, else the environment's (PQconndefaults). */
static const char *
either(const PQconninfoOption *mine, const PQconninfoOption *defs,
       const char *keyword)
{
	const char *v = opt(mine, keyword);

	return v != NULL ? v : opt(defs, keyword);
}

static int
count_items(const char *list)
{
	int n = list != NULL && list[0] ? 1 : 0;

	for (const char *p = list; p != NULL && *p; p++)
		n += *p == ',';
	return n;
}

/* Item i of a comma list; a list of one item applies to every host (as
 * libpq does for port). NULL when empty or missing. */
static char *
item(const char *list, int i)
{
	const char *p = list, *end;
	int n = count_items(list);

	if (n == 0)
		return NULL;
	if (n == 1)
		i = 0;
	for (; p != NULL && i > 0; i--) {
		p = strchr(p, ',');
		p = p != NULL ? p + 1 : NULL;
	}
	if (p == NULL)
		return NULL;
	end = strchr(p, ',');
	if (end == NULL)
		end = p + strlen(p);
	return end > p ? xstrndup(p, (size_t)(end - p)) : NULL;
}

struct parsed {
	PQconninfoOption *mine, *defs;
};

static int
parse(const char *conninfo, struct parsed *ps)
{
	ps->mine = PQconninfoParse(conninfo != NULL ? conninfo : "", NULL);
	ps->defs = PQconndefaults();
	return ps->mine != NULL && ps->defs != NULL;
}

static void
parsed_free(struct parsed *ps)
{
	PQconninfoFree(ps->mine);
	PQconninfoFree(ps->defs);
}

int
db_hosts_count(const char *conninfo)
{
	struct parsed ps;
	int n = 1;

	if (parse(conninfo, &ps) &&
	    either(ps.mine, ps.defs, "service") == NULL) {
		const char *h = either(ps.mine, ps.defs, "host");
		n = count_items(
		    h != NULL ? h : either(ps.mine, ps.defs, "hostaddr"));
	}
	parsed_free(&ps);
	return n > 1 ? n : 1;
}

int
db_hosts_timeout_ms(const char *conninfo)
{
	struct parsed ps;
	int ms = DB_HOST_DEFAULT_MS;

	if (parse(conninfo, &ps)) {
		const char *t = either(ps.mine, ps.defs, "connect_timeout");
		int s = t != NULL ? atoi(t) : 0;
		/* libpq's own rule: a positive value under 2 s counts as 2. */
		if (s > 0)
			ms = (s < 2 ? 2 : s) * 1000;
	}
	parsed_free(&ps);
	return ms;
}

PGconn *
db_conn_start_host(const char *conninfo, int i)
{
	static const char *const hostkeys[] = {"host", "hostaddr", "port"};
	const char *keys[DB_HOST_MAX_OPTS + 4], *vals[DB_HOST_MAX_OPTS + 4];
	char *mine[3] = {NULL, NULL, NULL};
	struct parsed ps;
	PGconn *conn;
	int n = 0;

	if (db_hosts_count(conninfo) <= 1 || !parse(conninfo, &ps))
		return db_conn_start(conninfo);
	db_conn_defaults(keys, vals, &n);
	for (const PQconninfoOption *o = ps.mine;
	     o->keyword != NULL && n < DB_HOST_MAX_OPTS; o++) {
		if (o->val == NULL || strcmp(o->keyword, "host") == 0 ||
		    strcmp(o->keyword, "hostaddr") == 0 ||
		    strcmp(o->keyword, "port") == 0)
			continue;
		keys[n] = o->keyword;
		vals[n++] = o->val;
	}
	for (int k = 0; k < 3; k++) {
		mine[k] = item(either(ps.mine, ps.defs, hostkeys[k]), i);
		if (mine[k] != NULL) {
			keys[n] = hostkeys[k];
			vals[n++] = mine[k];
		}
	}
	keys[n] = vals[n] = NULL;
	conn = PQconnectStartParams(keys, vals, 0);
	for (int k = 0; k < 3; k++)
		free(mine[k]);
	parsed_free(&ps);
	return conn;
}
