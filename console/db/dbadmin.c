/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * `cityops db migrate | seed --demo | status`.
 *
 * Two kinds of schema file (docs/sql-api.md, "Migrations and function
 * files"): numbered migrations in sql/migrations/ (tables, types, indexes,
 * reference data), each applied once and recorded by name in
 * public.cityops_migration; and function files in sql/functions/ (every
 * function, view, policy and trigger, each defined once and written to be
 * applied again), applied after the migrations whenever their content's
 * checksum differs from the one recorded in public.cityops_function_file —
 * the "repeatable migration" of Flyway. Each file runs in its own
 * transaction under one advisory lock, so two installs racing cannot
 * apply a file twice, and a file that fails leaves nothing behind.
 *
 * The files are compiled in (sql_files); CITYOPS_SQL_DIR=DIR reads them
 * from DIR/migrations, DIR/functions and DIR/seed instead, for tests and
 * for trying a change without a rebuild.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/db/db.h"
#include "cityops/db/dbadmin.h"
#include "cityops/db/sqlfiles.h"

#define MIGRATIONS "sql/migrations/"
#define FUNCTIONS  "sql/functions/"
#define SEEDS      "sql/seed/"

/* The files migrate and seed work from: the compiled-in ones, or those
 * of CITYOPS_SQL_DIR, read once. */
struct sqlset {
	const struct sql_file *files; /* ends with {0, 0} */
	struct sql_file *owned;       /* read from a directory, else NULL */
	size_t n;
};

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* "functions/30_reads.sql" for sql/functions/30_reads.sql. */
static const char *
sql_relative(const char *path)
{
	return strncmp(path, "sql/", 4) == 0 ? path + 4 : path;
}

static int
is_sql_name(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	return e->d_name[0] != '.' && len > 4 &&
	       strcmp(e->d_name + len - 4, ".sql") == 0;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Appends the .sql files of DIR/SUB in name order as "sql/SUB/NAME"; a missing
 * folder adds nothing. Returns 0 or -1 after printing why. */
static int
add_dir(struct sqlset *set, size_t *cap, const char *dir, const char *sub)
{
	struct dirent **names = NULL;
	char path[4096];
	int n, rc = 0;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	n = scandir(path, &names, is_sql_name, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : (perror(path), -1);
	for (int i = 0; i < n; i++) {
		char *text;

		snprintf(path, sizeof path, "%s/%s/%s", dir, sub,
		         names[i]->d_name);
		if (rc == 0 && (text = read_file(path)) == NULL) {
			perror(path);
			rc = -1;
		} else if (rc == 0) {
			if (set->n + 2 > *cap) {
				*cap = *cap ? *cap * 2 : 64;
				set->owned = xrealloc(
				    set->owned, *cap * sizeof *set->owned);
			}
			snprintf(path, sizeof path, "sql/%s/%s", sub,
			         names[i]->d_name);
			set->owned[set->n].name = xstrdup(path);
			set->owned[set->n].text = text;
			set->n++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static void
sqlset_free(struct sqlset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free((char *)set->owned[i].name);
		free((char *)set->owned[i].text);
	}
	free(set->owned);
	memset(set, 0, sizeof *set);
}

static int
sqlset_load(struct sqlset *set)
{
	const char *dir = getenv("CITYOPS_SQL_DIR");
	size_t cap = 0;

	memset(set, 0, sizeof *set);
	if (dir == NULL || *dir == '\0') {
		set->files = sql_files;
		return 0;
	}
	if (add_dir(set, &cap, dir, "functions") != 0 ||
	    add_dir(set, &cap, dir, "migrations") != 0 ||
	    add_dir(set, &cap, dir, "seed") != 0) {
		sqlset_free(set);
		return -1;
	}
	if (set->n == 0) {
		fprintf(stderr,
		        "cityops db: no SQL files in %s "
		        "(CITYOPS_SQL_DIR)\n",
		        dir);
		sqlset_free(set);
		return -1;
	}
	set->owned = xrealloc(set->owned, (set->n + 1) * sizeof *set->owned);
	set->owned[set->n].name = NULL;
	set->owned[set->n].text = NULL;
	set->files = set->owned;
	return 0;
}

static int
in_dir(const struct sql_file *f, const char *dir)
{
	return strncmp(f->name, dir, strlen(dir)) == 0;
}

/*
 * True when sql holds a statement and not only blank space and comments:
 * the server answers an empty script with an error, and a migration whose
 * functions moved to sql/functions/ may be only its history in comments.
 */
static int
has_statement(const char *sql)
{
	const char *p = sql;

	while (*p != '\0') {
		if (strchr(" \t\r\n\f", *p) != NULL)
			p++;
		else if (p[0] == '-' && p[1] == '-')
			p += strcspn(p, "\n");
		else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");

			if (end == NULL)
				return 1;
			p = end + 2;
		} else
			return 1;
	}
	return 0;
}

static int
report(const char *what, struct db_error *err)
{
	fprintf(stderr, "cityops db: %s: %s\n", what,
	        err->message ? err->message : "failed");
	db_error_clear(err);
	return -1;
}

static int
is_done(struct db *db, const char *version, struct db_error *err)
{
	const char *p[1] = {version};
	struct db_table *t = NULL;
	int done;

	if (db_run(db, Q_MIGRATION_DONE, 1, p, &t, err) != 0)
		return -1;
	done = t->nrows > 0;
	db_table_free(&t);
	return done;
}

/* The checksum recorded for a function file into *out (caller frees;
 * NULL when it was never applied). Returns 0 or -1. */
static int
recorded_checksum(struct db *db, const char *name, char **out,
                  struct db_error *err)
{
	const char *p[1] = {name};
	struct db_table *t = NULL;

	*out = NULL;
	if (db_run(db, Q_FUNCTION_FILE_GET, 1, p, &t, err) != 0)
		return -1;
	if (t->nrows > 0)
		*out = xstrdup(db_get(t, 0, "checksum"));
	db_table_free(&t);
	return 0;
}

/* The checksum of a file's content, as the server computes it, into
 * *out (caller frees). Returns 0 or -1. */
static int
checksum_of(struct db *db, const char *text, char **out, struct db_error *err)
{
	const char *p[1] = {text};
	struct db_table *t = NULL;

	*out = NULL;
	if (db_run(db, Q_CHECKSUM, 1, p, &t, err) != 0)
		return -1;
	*out = xstrdup(db_get(t, 0, "checksum"));
	db_table_free(&t);
	return 0;
}

/*
 * Runs one file in a transaction under the lock. A migration (FUNCTIONS
 * not set) runs unless its version is recorded, and is then recorded; a
 * function file runs unless the checksum recorded for it is its own, and
 * its checksum is then recorded; a seed (version NULL) always runs.
 * *applied says whether it ran. Returns 0, or -1 after naming the file.
 */
static int
apply(struct db *db, const char *version, int function_file, const char *sql,
      const char *label, int *applied)
{
	struct db_error err = {0};
	char *want = NULL, *have = NULL;
	int done = 0;

	*applied = 0;
	if (db_run(db, Q_BEGIN, 0, NULL, NULL, &err) != 0 ||
	    db_run(db, Q_MIGRATION_LOCK, 0, NULL, NULL, &err) != 0)
		goto fail;
	if (function_file) {
		if (checksum_of(db, sql, &want, &err) != 0 ||
		    recorded_checksum(db, version, &have, &err) != 0)
			goto fail;
		done = have != NULL && strcmp(have, want) == 0;
	} else if (version != NULL && (done = is_done(db, version, &err)) < 0)
		goto fail;
	if (!done) {
		const char *p[2] = {version, want};

		if (has_statement(sql) && db_exec_script(db, sql, &err) != 0)
			goto fail;
		if (function_file &&
		    db_run(db, Q_FUNCTION_FILE_RECORD, 2, p, NULL, &err) != 0)
			goto fail;
		if (!function_file && version != NULL &&
		    db_run(db, Q_MIGRATION_RECORD, 1, p, NULL, &err) != 0)
			goto fail;
		*applied = 1;
	}
	if (db_run(db, Q_COMMIT, 0, NULL, NULL, &err) != 0)
		goto fail;
	free(want);
	free(have);
	return 0;
fail:
	free(want);
	free(have);
	db_run(db, Q_ROLLBACK, 0, NULL, NULL, NULL);
	return report(label, &err);
}

static int
require_superuser(struct db *db)
{
	struct db_error err = {0};
	struct db_table *t = NULL;
	int super;

	if (db_run(db, Q_IS_SUPERUSER, 0, NULL, &t, &err) != 0)
		return report("checking rights", &err);
	super =
	    t->nrows > 0 && strcmp(db_get(t, 0, "rolsuper") ?: "f", "t") == 0;
	db_table_free(&t);
	if (!super) {
		fprintf(stderr,
		        "cityops db: migrations must run as a superuser "
		        "(e.g. PGUSER=postgres)\n");
		return -1;
	}
	return 0;
}

static int
init_records(struct db *db, const char *what)
{
	struct db_error err = {0};

	if (db_run(db, Q_MIGRATION_INIT, 0, NULL, NULL, &err) != 0 ||
	    db_run(db, Q_FUNCTION_FILE_INIT, 0, NULL, NULL, &err) != 0)
		return report(what, &err);
	return 0;
}

/* Migrations first, so that function files see the tables they need. */
static int
migrate_files(struct db *db, const struct sql_file *files, int *count)
{
	int applied;

	for (const struct sql_file *f = files; f->name != NULL; f++) {
		if (!in_dir(f, MIGRATIONS))
			continue;
		if (apply(db, basename_of(f->name), 0, f->text,
		          basename_of(f->name), &applied) != 0)
			return -1;
		if (applied) {
			printf("applied %s\n", basename_of(f->name));
			(*count)++;
		}
	}
	for (const struct sql_file *f = files; f->name != NULL; f++) {
		if (!in_dir(f, FUNCTIONS))
			continue;
		if (apply(db, basename_of(f->name), 1, f->text,
		          sql_relative(f->name), &applied) != 0)
			return -1;
		if (applied) {
			printf("applied %s\n", sql_relative(f->name));
			(*count)++;
		}
	}
	return 0;
}

int
dbadmin_migrate(struct db *db)
{
	struct db_error err = {0};
	struct sqlset set;
	int count = 0, rc;

	if (require_superuser(db) != 0 ||
	    init_records(db, "creating the migration tables") != 0)
		return -1;
	if (sqlset_load(&set) != 0)
		return -1;
	rc = migrate_files(db, set.files, &count);
	sqlset_free(&set);
	if (rc != 0)
		return -1;
	/* Operators get no temporary schema to shadow tables with; the
	 * privilege is per database and a copy made from a template has it
	 * back, so it is taken away on every run, not only by 014. */
	if (db_run(db, Q_MIGRATION_NO_TEMP, 0, NULL, NULL, &err) != 0)
		return report("revoking TEMPORARY", &err);
	if (count == 0)
		printf("database is up to date\n");
	return 0;
}

int
dbadmin_seed_demo(struct db *db)
{
	struct sqlset set;
	int applied, count = 0, rc = 0;

	if (require_superuser(db) != 0 || sqlset_load(&set) != 0)
		return -1;
	for (const struct sql_file *f = set.files; f->name != NULL; f++) {
		if (!in_dir(f, SEEDS))
			continue;
		if (apply(db, NULL, 0, f->text, "seed", &applied) != 0) {
			rc = -1;
			break;
		}
		count++;
	}
	sqlset_free(&set);
	if (rc != 0)
		return -1;
	if (count == 0) {
		fprintf(stderr, "cityops db: no demo seed compiled in\n");
		return -1;
	}
	printf("demo city seeded\n");
	return 0;
}

/* One line per function file: applied, changed (applied, but the file
 * differs from what was) or pending (never applied). Returns the number
 * not applied as they are, or -1. */
static int
status_functions(struct db *db, const struct sql_file *files)
{
	struct db_error err = {0};
	int stale = 0;

	for (const struct sql_file *f = files; f->name != NULL; f++) {
		char *want = NULL, *have = NULL;
		const char *state;

		if (!in_dir(f, FUNCTIONS))
			continue;
		if (checksum_of(db, f->text, &want, &err) != 0 ||
		    recorded_checksum(db, basename_of(f->name), &have, &err) !=
		        0) {
			free(want);
			return report("reading function files", &err);
		}
		state = have == NULL              ? "pending"
		        : strcmp(have, want) != 0 ? "changed"
		                                  : "applied";
		printf("%-8s %s\n", state, sql_relative(f->name));
		stale += have == NULL || strcmp(have, want) != 0;
		free(want);
		free(have);
	}
	return stale;
}

int
dbadmin_status(struct db *db)
{
	struct db_error err = {0};
	struct sqlset set;
	int pending = 0, done, stale;

	if (init_records(db, "reading migrations") != 0 ||
	    sqlset_load(&set) != 0)
		return 1;
	for (const struct sql_file *f = set.files; f->name != NULL; f++) {
		if (!in_dir(f, MIGRATIONS))
			continue;
		done = is_done(db, basename_of(f->name), &err);
		if (done < 0) {
			report("reading migrations", &err);
			sqlset_free(&set);
			return 1;
		}
		printf("%-8s %s\n", done ? "applied" : "pending",
		       basename_of(f->name));
		pending += !done;
	}
	stale = status_functions(db, set.files);
	sqlset_free(&set);
	return pending || stale != 0 ? 1 : 0;
}

/* Whether each record table exists ("absent"), may be read ("ok") or
 * not ("denied") by this login; 0 or -1. */
static int
record_tables(struct db *db, char migrations[8], char functions[8],
              struct db_error *err)
{
	const char *p[2] = {"public.cityops_migration",
	                    "public.cityops_function_file"};
	struct db_table *t = NULL;

	if (db_run(db, Q_MIGRATION_TABLES, 2, p, &t, err) != 0)
		return -1;
	snprintf(migrations, 8, "%s", db_get(t, 0, "migrations"));
	snprintf(functions, 8, "%s", db_get(t, 0, "functions"));
	db_table_free(&t);
	return 0;
}

/* One file into c; 0 or -1. */
static int
count_file(struct db *db, const struct sql_file *f, int migrations,
           int functions, struct dbadmin_counts *c, struct db_error *err)
{
	char *want = NULL, *have = NULL;
	int done = 0;

	if (in_dir(f, MIGRATIONS)) {
		if (migrations &&
		    (done = is_done(db, basename_of(f->name), err)) < 0)
			return -1;
		c->applied += done;
		c->pending += !done;
	} else if (in_dir(f, FUNCTIONS)) {
		if (functions && (checksum_of(db, f->text, &want, err) != 0 ||
		                  recorded_checksum(db, basename_of(f->name),
		                                    &have, err) != 0)) {
			free(want);
			return -1;
		}
		done = have != NULL && strcmp(have, want) == 0;
		c->functions++;
		c->stale += !done;
		free(want);
		free(have);
	} else {
		return 0;
	}
	/* A pending migration is named before a function file. */
	if (!done && (c->first_pending[0] == '\0' ||
	              (in_dir(f, MIGRATIONS) && c->pending == 1)))
		snprintf(c->first_pending, sizeof c->first_pending, "%s",
		         sql_relative(f->name));
	return 0;
}

int
dbadmin_count(struct db *db, struct dbadmin_counts *c, struct db_error *err)
{
	struct sqlset set;
	char migrations[8], functions[8];
	int rc = 0;

	memset(c, 0, sizeof *c);
	if (record_tables(db, migrations, functions, err) != 0)
		return -1;
	if (strcmp(migrations, "denied") == 0) {
		c->unreadable = 2;
		return 0;
	}
	c->unreadable = strcmp(functions, "denied") == 0;
	if (sqlset_load(&set) != 0) {
		db_error_set(err, "cannot read the SQL files");
		return -1;
	}
	for (const struct sql_file *f = set.files; f->name && rc == 0; f++)
		if (!c->unreadable || !in_dir(f, FUNCTIONS))
			rc = count_file(db, f, strcmp(migrations, "ok") == 0,
			                strcmp(functions, "ok") == 0, c, err);
	sqlset_free(&set);
	return rc;
}
