/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What a command produced: messages, records and tables, kept as data so
 * that headless text, JSON lines and the console's panes render the same
 * result each in their own way.
 */
#ifndef CITYOPS_RESULT_H
#define CITYOPS_RESULT_H

#include "cityops/db/db.h"
#include "cityops/core/util.h"

/* How a column is shown to people (JSON always gets the raw value). */
enum col_fmt {
	F_TEXT,
	F_NUMBER,   /* right-aligned */
	F_PRIORITY, /* 1 → P1 */
	F_STATE,    /* incident state → 已派单 */
	F_UNIT,     /* unit status → 待命 */
	F_VITAL,    /* vital state → 告警 */
	F_DURATION, /* seconds → 2h05m */
	F_SLA,      /* seconds left → 12m / 超时 12m */
	F_TIME,     /* timestamp → 11-21 19:40 */
	F_EXERCISE, /* true → 演练 */
	F_YES,      /* true → 是, false → 否 */
	F_MODE,     /* peace → 平时, emergency → 应急 */
	F_ROLE,     /* supervisor → 值班长 */
	F_ACTION, /* dispatch → 派单; "dispatch, note" → "派单 备注" */
	F_SOURCE, /* sensor → 物联感知 (12345, 110 … stay numbers) */
	F_LEVEL,  /* region level: grid → 网格 */
	F_MATCH,  /* search field matched: title → 标题 */
	F_NOTE,   /* a timeline note; a raise's note is its source: F_SOURCE */
};

struct col_spec {
	const char *name;  /* column in the db_table */
	const char *label; /* heading shown to people */
	enum col_fmt fmt;
	int max; /* widest it may grow, in columns; 0 = no limit */
};

enum block_kind { B_MESSAGE, B_RECORD, B_TABLE };

struct block {
	enum block_kind kind;
	char *key;                   /* JSON member name */
	char *title;                 /* heading for people, or NULL */
	char *text;                  /* B_MESSAGE */
	struct db_table *table;      /* B_RECORD (row 0) and B_TABLE; owned */
	const struct col_spec *cols; /* ends with a {NULL} entry */
};

struct result {
	int failed;
	char
	    *code; /* machine-readable error class, e.g. "illegal_transition" */
	char *error; /* the sentence for people */
	char *hint;  /* what would be allowed, or usage; may be NULL */
	struct block *blocks;
	int nblocks;
};

void result_message(struct result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Takes ownership of t. */
void result_table(struct result *r, const char *key, const char *title,
                  struct db_table *t, const struct col_spec *cols);
void result_record(struct result *r, const char *key, const char *title,
                   struct db_table *t, const struct col_spec *cols);
void result_fail(struct result *r, const char *code, const char *hint,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Fails with a database error, its SQLSTATE mapped to an error class. */
void result_fail_db(struct result *r, const struct db_error *err);
void result_clear(struct result *r);

/*
 * Renders the blocks for people; every string from outside is sanitised.
 * The error, if any, is rendered separately by result_render_error.
 */
void result_render_text(const struct result *r, struct buf *out);
/* "error: …" and "hint: …" lines, or nothing when the command succeeded. */
void result_render_error(const struct result *r, struct buf *out);
/* Renders one JSON object on one line, newline included. */
void result_render_json(const struct result *r, const char *command,
                        struct buf *out);

/* Formats one cell for people (no padding); returns out. */
const char *result_cell_text(const char *value, enum col_fmt fmt, char *out,
                             size_t outsz);

#endif
