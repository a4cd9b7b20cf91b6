/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* `cityops --version [--verbose]` (include/cityops/ui/version.h). */
#include <stdio.h>
#include <string.h>

#include <curses.h>
#include <readline/readline.h>

#include "cityops/core/text.h"
#include "cityops/db/db-info.h"
#include "cityops/db/db.h"
#include "cityops/feed/feed-version.h"
#include "cityops/ui/version.h"

#ifndef CITYOPS_VERSION
#define CITYOPS_VERSION "unknown"
#endif

/* --version --verbose waits at most this long for the server. */
#define VERSION_CONNECT_MS 3000

const char *
version_string(void)
{
	static char buf[160];

	if (cityops_git_describe[0] == '\0')
		return CITYOPS_VERSION;
	snprintf(buf, sizeof buf, "%s (git %s)", CITYOPS_VERSION,
	         cityops_git_describe);
	return buf;
}

static void
print_server(FILE *f, const char *dsn)
{
	struct db_error err = {0};
	struct db_info info;
	struct db *db = db_connect_now(dsn, VERSION_CONNECT_MS, &err);
	char target[512], why[1024];

	if (db == NULL || db_info_get(db, &info) != 0) {
		db_info_target(dsn, target, sizeof target);
		text_sanitize(err.message ? err.message : "down",
		              strlen(err.message ? err.message : "down"), why,
		              sizeof why);
		fprintf(f, "server         not connected (%s: %s)\n", target,
		        why);
	} else {
		fprintf(f, "server         PostgreSQL %s (%s port %s%s%s)\n",
		        info.server, info.host, info.port,
		        info.tls[0] ? ", " : "", info.tls);
	}
	db_error_clear(&err);
	db_close(&db);
}

int
version_print(FILE *f, int verbose, const char *dsn)
{
	char libpq[32];

	fprintf(f, "cityops %s\n", version_string());
	if (!verbose)
		return 0;
	db_info_libpq_version(libpq, sizeof libpq);
	fprintf(f, "ncurses        %s\n", curses_version());
	fprintf(f, "readline       %s\n", rl_library_version);
	fprintf(f, "libpq          %s\n", libpq);
	fprintf(f, "libwebsockets  %s\n", feed_lws_version());
	fprintf(f, "cJSON          %s\n", feed_cjson_version());
	print_server(f, dsn);
	return 0;
}
