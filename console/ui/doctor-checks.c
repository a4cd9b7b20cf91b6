/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The checks of `cityops doctor` (include/cityops/ui/doctor.h): each
 * prints its line, and a FAIL with a hint when something stands in the
 * console's way. A note is worth knowing but stops nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "cityops/cmd/cmd.h"
#include "cityops/core/names.h"
#include "cityops/db/db-info.h"
#include "cityops/db/db.h"
#include "cityops/db/dbadmin.h"
#include "cityops/feed/feed-client.h"
#include "cityops/ui/doctor.h"

#define CONNECT_MS 5000
#define FEED_MS    3000
#define MAX_SKEW_S 5.0
#define MIN_COLS   60 /* console/ui/tui.c */
#define MIN_ROWS   15

struct db *
doctor_connection(struct doctor *d, const char *dsn)
{
	struct db_error err = {0};
	struct db *db = db_connect_now(dsn, CONNECT_MS, &err);
	struct db_info in;
	char target[512];

	if (db == NULL || db_info_get(db, &in) != 0) {
		db_info_target(dsn, target, sizeof target);
		doctor_line(d, DOCTOR_FAIL, "connection",
		            "check --dsn or PGHOST, PGPORT, PGDATABASE, PGUSER "
		            "(as for psql), that the server runs and accepts "
		            "this machine (pg_hba.conf)",
		            "cannot connect to %s: %s", target,
		            err.message ? err.message : "failed");
		db_error_clear(&err);
		db_close(&db);
		return NULL;
	}
	doctor_line(d, DOCTOR_OK, "connection", NULL,
	            "%s port %s, database %s as %s, %s, PostgreSQL %s", in.host,
	            in.port, in.dbname, in.user,
	            in.tls[0] ? in.tls
	            : strncmp(in.host, "socket ", 7) == 0
	                ? "no TLS (a local socket)"
	                : "no TLS",
	            in.server);
	if (in.server_num / 10000 < 15)
		doctor_line(d, DOCTOR_FAIL, "server",
		            "cityops needs PostgreSQL 15 or later",
		            "PostgreSQL %s is too old", in.server);
	return db;
}

void
doctor_schema(struct doctor *d, struct db *db)
{
	struct db_error err = {0};
	struct dbadmin_counts c;

	if (dbadmin_count(db, &c, &err) != 0) {
		doctor_line(d, DOCTOR_FAIL, "schema",
		            "check the database name (PGDATABASE, --dsn)",
		            "cannot read the migration records: %s",
		            err.message ? err.message : "failed");
		db_error_clear(&err);
		return;
	}
	if (c.unreadable == 2) {
		doctor_line(
		    d, DOCTOR_NOTE, "schema", NULL,
		    "this login may not read the migration records; "
		    "the database owner's `cityops doctor` (or `cityops "
		    "db status`) checks them");
		return;
	}
	if (c.pending > 0 || c.stale > 0) {
		doctor_line(
		    d, DOCTOR_FAIL, "schema",
		    "run `cityops db migrate` as the database owner "
		    "(README.Debian; it is never run by the package)",
		    "%d migrations applied, %d pending; %d of %d function "
		    "files not current (first: %s)",
		    c.applied, c.pending, c.stale, c.functions,
		    c.first_pending);
		return;
	}
	if (c.unreadable)
		doctor_line(d, DOCTOR_OK, "schema", NULL,
		            "%d migrations applied, none pending; function "
		            "files not readable by this login (the owner's "
		            "doctor checks them)",
		            c.applied);
	else
		doctor_line(d, DOCTOR_OK, "schema", NULL,
		            "%d migrations applied, none pending; %d function "
		            "files current",
		            c.applied, c.functions);
}

void
doctor_login(struct doctor *d, struct db *db)
{
	struct session s = {.db = db};
	struct db_error err = {0};

	if (session_identify(&s, &err) != 0) {
		doctor_line(d, DOCTOR_FAIL, "login",
		            "an admin registers the login as an operator "
		            "(docs/security.md); or connect as one with -U",
		            "%s", err.message ? err.message : "unknown");
		db_error_clear(&err);
		return;
	}
	doctor_line(d, DOCTOR_OK, "login", NULL, "%s %s: %s, scope %s %s",
	            s.login, s.display_name, names_role_code(s.role),
	            s.scope_code, s.scope_name);
	session_clear(&s);
}

/* This machine's zone: $TZ, else /etc/localtime's target. */
static void
local_zone(char *buf, size_t bufsz)
{
	const char *tz = getenv("TZ");
	char link[PATH_MAX];
	ssize_t n;

	if (tz != NULL && *tz != '\0') {
		snprintf(buf, bufsz, "%s", tz);
		return;
	}
	n = readlink("/etc/localtime", link, sizeof link - 1);
	if (n <= 0) {
		snprintf(buf, bufsz, "UTC (no /etc/localtime)");
		return;
	}
	link[n] = '\0';
	const char *z = strstr(link, "zoneinfo/");
	snprintf(buf, bufsz, "%.200s", z ? z + 9 : link);
}

void
doctor_clock(struct doctor *d, struct db *db)
{
	struct db_error err = {0};
	struct db_table *t = NULL;
	struct timespec ts;
	char zone[256];
	double skew;

	if (db_run(db, Q_SERVER_CLOCK, 0, NULL, &t, &err) != 0) {
		doctor_line(d, DOCTOR_FAIL, "time", NULL,
		            "cannot read the server's clock: %s", err.message);
		db_error_clear(&err);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	skew = fabs(atof(db_get(t, 0, "epoch")) -
	            ((double)ts.tv_sec + ts.tv_nsec / 1e9));
	local_zone(zone, sizeof zone);
	if (skew > MAX_SKEW_S)
		doctor_line(d, DOCTOR_FAIL, "time",
		            "SLA countdowns compare the two clocks: run "
		            "systemd-timesyncd or chrony on both machines",
		            "this machine's clock is %.0f s away from the "
		            "server's",
		            skew);
	else
		doctor_line(
		    d, DOCTOR_OK, "time", NULL,
		    "session zone %s, this machine %s; clocks %.1f s "
		    "apart (references and the clock use Asia/Shanghai)",
		    db_get(t, 0, "timezone"), zone, skew);
	db_table_free(&t);
}

/* Connects to host:port within FEED_MS; 0, or -1 with why filled. */
static int
tcp_reach(const char *host, int port, char *why, size_t whysz)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char service[16];
	int rc, ok = -1;

	snprintf(service, sizeof service, "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
		snprintf(why, whysz, "%s", gai_strerror(rc));
		return -1;
	}
	snprintf(why, whysz, "no address");
	for (ai = res; ai != NULL && ok != 0; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK,
		                ai->ai_protocol);
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int e = 0;
		socklen_t el = sizeof e;

		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
		    errno != EINPROGRESS)
			e = errno;
		else if ((rc = poll(&p, 1, FEED_MS)) == 0)
			e = ETIMEDOUT;
		else if (rc < 0 ||
		         getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
			e = errno;
		close(fd);
		if (e == 0)
			ok = 0;
		else
			snprintf(why, whysz, "%s", strerror(e));
	}
	freeaddrinfo(res);
	return ok;
}

void
doctor_feed(struct doctor *d, const char *url)
{
	char host[256], path[1024], why[256];
	int port;

	if (feed_url_parse(url, host, sizeof host, &port, path, sizeof path) !=
	    0) {
		doctor_line(d, DOCTOR_FAIL, "feed",
		            "a feed is ws://HOST[:PORT][/PATH]",
		            "%s: not a ws:// URL", url);
		return;
	}
	if (tcp_reach(host, port, why, sizeof why) != 0) {
		doctor_line(d, DOCTOR_FAIL, "feed",
		            "is the feed running and reachable from here? "
		            "Check the 'feed' line of the config (or --feed) "
		            "and the firewall",
		            "%s: unreachable (%s port %d: %s)", url, host, port,
		            why);
		return;
	}
	doctor_line(d, DOCTOR_OK, "feed", NULL, "%s: reachable (%s port %d)",
	            url, host, port);
}

void
doctor_terminal(struct doctor *d)
{
	const char *term = getenv("TERM");
	struct winsize ws;
	int err = 0, colours;

	if (!isatty(STDOUT_FILENO)) {
		doctor_line(d, DOCTOR_NOTE, "terminal", NULL,
		            "not a terminal: headless commands run here; the "
		            "console needs one");
		return;
	}
	if (term == NULL || *term == '\0' ||
	    setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		doctor_line(
		    d, DOCTOR_FAIL, "terminal",
		    "set TERM to your terminal's type (e.g. "
		    "xterm-256color); the package ncurses-term has more",
		    "TERM=%s is not in the terminfo database",
		    term ? term : "");
		return;
	}
	colours = tigetnum("colors");
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0)
		ws.ws_col = ws.ws_row = 0;
	if (ws.ws_col < MIN_COLS || ws.ws_row < MIN_ROWS)
		doctor_line(d, DOCTOR_FAIL, "terminal",
		            "the console needs at least 60x15: enlarge the "
		            "window",
		            "%dx%d is too small (%s)", ws.ws_col, ws.ws_row,
		            term);
	else
		doctor_line(
		    d, colours >= 8 ? DOCTOR_OK : DOCTOR_NOTE, "terminal", NULL,
		    "%dx%d, %d colours (%s)%s", ws.ws_col, ws.ws_row,
		    colours < 0 ? 0 : colours, term,
		    colours >= 8 ? "" : "; the console uses attributes only");
	del_curterm(cur_term);
}

void
doctor_locale(struct doctor *d)
{
	const char *codeset = nl_langinfo(CODESET);
	const char *name = setlocale(LC_CTYPE, NULL);

	if (strcmp(codeset, "UTF-8") != 0)
		doctor_line(d, DOCTOR_FAIL, "locale",
		            "set LANG=C.UTF-8 (or another UTF-8 locale that "
		            "`locale -a` lists): names and labels are Chinese",
		            "%s uses %s, not UTF-8", name ? name : "?",
		            codeset);
	else
		doctor_line(d, DOCTOR_OK, "locale", NULL, "%s (UTF-8)", name);
}
