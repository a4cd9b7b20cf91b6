/* `cityops db …`: migrations and seeds compiled into the binary. */
#ifndef CITYOPS_DBADMIN_H
#define CITYOPS_DBADMIN_H

struct db;

/*
 * Applies every migration not yet recorded, each in its own transaction
 * under an advisory lock, so two installs racing cannot apply one twice.
 * Prints what it applied. Returns 0, or -1 after printing the error.
 */
int dbadmin_migrate(struct db *db);

/*
 * Applies every file of sql/seed/ in name order, each in a transaction; each
 * file is itself idempotent. Returns 0 or -1.
 */
int dbadmin_seed_demo(struct db *db);

/* Prints applied and pending migrations. Returns 0, or 1 if any is pending. */
int dbadmin_status(struct db *db);

#endif
