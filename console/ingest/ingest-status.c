/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest --status: what every source of every running ingest last
 * reported (cityops.source_health(), written by ingest-health.c), one
 * block per source. Text from sources (URLs, error messages) is sanitised
 * before it reaches the terminal. Exit 0 when every source is well and
 * reporting, 1 when one is failing or has gone silent (ingest stopped or
 * cut off: three reporting intervals without a report), 1 too when none
 * has reported, 2 when the database cannot be asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest-internal.h"

/* Prints "  name  value" with value sanitised (no terminal controls). */
static void
field(const char *name, const char *value)
{
	char *v =
	    text_sanitize_dup(value ? value : "-", strlen(value ? value : "-"));

	printf("    %-11s %s\n", name, v);
	free(v);
}

static const char *
verdict(const struct db_table *t, int i)
{
	const char *ok = db_get(t, i, "ok"), *stale = db_get(t, i, "stale");

	if (stale != NULL && strcmp(stale, "t") == 0)
		return "SILENT";
	return ok != NULL && strcmp(ok, "t") == 0 ? "ok" : "FAILING";
}

static void
print_source(const struct db_table *t, int i)
{
	char line[512], *s;
	const char *err = db_get(t, i, "last_error"),
	           *okt = db_get(t, i, "last_ok_text"),
	           *oka = db_get(t, i, "ok_age_s");

	snprintf(line, sizeof line, "%-8s %-7s %-7s %s",
	         db_get(t, i, "label") ?: "?", verdict(t, i),
	         db_get(t, i, "kind") ?: "?", db_get(t, i, "url") ?: "?");
	s = text_sanitize_dup(line, strlen(line));
	printf("  %s\n", s);
	free(s);
	field("state", db_get(t, i, "state"));
	if (okt != NULL) {
		snprintf(line, sizeof line, "%s (%s s ago)", okt,
		         oka ? oka : "?");
		field("last ok", line);
	} else {
		field("last ok", "never");
	}
	field("last error", err != NULL && err[0] ? err : "none");
	field("counts", db_get(t, i, "counts_text"));
	field("position", db_get(t, i, "position"));
	field("reconnects", db_get(t, i, "reconnects"));
	snprintf(line, sizeof line, "%s s ago by %s",
	         db_get(t, i, "age_s") ?: "?", db_get(t, i, "ingest") ?: "?");
	field("reported", line);
}

int
ingest_status_main(const char *dsn)
{
	struct db_error err = {0};
	struct db *db = db_connect(dsn, 10000, &err);
	struct db_table *t = NULL;
	int bad = 0;

	if (db == NULL || db_run(db, Q_SOURCE_HEALTH, 0, NULL, &t, &err) != 0) {
		char *m =
		    text_sanitize_dup(err.message ? err.message : "?",
		                      strlen(err.message ? err.message : "?"));
		fprintf(stderr, "cityops ingest --status: %s\n", m);
		free(m);
		db_error_clear(&err);
		db_close(&db);
		return 2;
	}
	if (t->nrows == 0) {
		printf("no source has reported (is cityops ingest running?)\n");
		bad = 1;
	}
	for (int i = 0; i < t->nrows; i++) {
		const char *ing = db_get(t, i, "ingest") ?: "?";
		if (i == 0 || strcmp(ing, db_get(t, i - 1, "ingest") ?: "?"))
			printf("ingest %s\n", ing);
		print_source(t, i);
		if (strcmp(verdict(t, i), "ok") != 0)
			bad = 1;
	}
	db_table_free(&t);
	db_close(&db);
	return bad;
}
