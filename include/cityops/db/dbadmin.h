/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
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

/* Counts for `cityops doctor`; nothing is created or changed. */
struct dbadmin_counts {
	int applied, pending;    /* numbered migrations */
	int functions, stale;    /* function files; stale: pending or
	                            changed since applied */
	char first_pending[128]; /* the first one not applied, or "" */
	/* 1: the login may not read the function file records (functions
	 * and stale stay 0); 2: nor the migrations' (nothing counted). */
	int unreadable;
};

struct db_error;

/* Fills c against the compiled-in (or CITYOPS_SQL_DIR) files. Returns 0,
 * or -1 with err filled (e.g. the login may not read the records). */
int dbadmin_count(struct db *db, struct dbadmin_counts *c,
                  struct db_error *err);

#endif
