/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The SQL files compiled into the binary (see cmake/embed-sql.cmake). */
#ifndef CITYOPS_SQLFILES_H
#define CITYOPS_SQLFILES_H

struct sql_file {
	const char *name; /* path relative to the source tree */
	const char *text; /* the file's contents, NUL-terminated */
};

/* sql/functions/, sql/migrations/, sql/seed/, each in name order; ends
 * with a {0, 0} entry. */
extern const struct sql_file sql_files[];

#endif
