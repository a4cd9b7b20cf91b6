#include <stdio.h>
#include <string.h>

#include "cityops/db/db.h"
#include "cityops/db/dbadmin.h"
#include "cityops/db/sqlfiles.h"

#define MIGRATIONS "sql/migrations/"
#define SEEDS      "sql/seed/"

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
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

/* Runs sql in a transaction; if version is set, records it once. */
static int
apply(struct db *db, const char *version, const char *sql, int *applied)
{
	struct db_error err = {0};
	const char *p[1] = {version};
	int done = 0;

	*applied = 0;
	if (db_run(db, Q_BEGIN, 0, NULL, NULL, &err) != 0 ||
	    db_run(db, Q_MIGRATION_LOCK, 0, NULL, NULL, &err) != 0)
		goto fail;
	if (version != NULL && (done = is_done(db, version, &err)) < 0)
		goto fail;
	if (!done) {
		if (db_exec_script(db, sql, &err) != 0)
			goto fail;
		if (version != NULL &&
		    db_run(db, Q_MIGRATION_RECORD, 1, p, NULL, &err) != 0)
			goto fail;
		*applied = 1;
	}
	if (db_run(db, Q_COMMIT, 0, NULL, NULL, &err) != 0)
		goto fail;
	return 0;
fail:
	db_run(db, Q_ROLLBACK, 0, NULL, NULL, NULL);
	return report(version ? version : "seed", &err);
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

int
dbadmin_migrate(struct db *db)
{
	struct db_error err = {0};
	int applied, count = 0;

	if (require_superuser(db) != 0)
		return -1;
	if (db_run(db, Q_MIGRATION_INIT, 0, NULL, NULL, &err) != 0)
		return report("creating the migration table", &err);
	for (const struct sql_file *f = sql_files; f->name != NULL; f++) {
		if (strncmp(f->name, MIGRATIONS, strlen(MIGRATIONS)) != 0)
			continue;
		if (apply(db, basename_of(f->name), f->text, &applied) != 0)
			return -1;
		if (applied) {
			printf("applied %s\n", basename_of(f->name));
			count++;
		}
	}
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
	int applied, count = 0;

	if (require_superuser(db) != 0)
		return -1;
	for (const struct sql_file *f = sql_files; f->name != NULL; f++) {
		if (strncmp(f->name, SEEDS, strlen(SEEDS)) != 0)
			continue;
		if (apply(db, NULL, f->text, &applied) != 0)
			return -1;
		count++;
	}
	if (count == 0) {
		fprintf(stderr, "cityops db: no demo seed compiled in\n");
		return -1;
	}
	printf("demo city seeded\n");
	return 0;
}

int
dbadmin_status(struct db *db)
{
	struct db_error err = {0};
	int pending = 0, done;

	if (db_run(db, Q_MIGRATION_INIT, 0, NULL, NULL, &err) != 0) {
		report("reading migrations", &err);
		return 1;
	}
	for (const struct sql_file *f = sql_files; f->name != NULL; f++) {
		if (strncmp(f->name, MIGRATIONS, strlen(MIGRATIONS)) != 0)
			continue;
		done = is_done(db, basename_of(f->name), &err);
		if (done < 0) {
			report("reading migrations", &err);
			return 1;
		}
		printf("%-8s %s\n", done ? "applied" : "pending",
		       basename_of(f->name));
		pending += !done;
	}
	return pending ? 1 : 0;
}
