/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What the drill file parser's files share (drill-parse.c, drill-parse-
 * step.c, drill-parse-expect.c): the parser's state and its helpers for
 * words, options and checks. Not a public interface.
 */
#ifndef CITYOPS_DRILL_PARSER_H
#define CITYOPS_DRILL_PARSER_H

#include "cityops/drill/drill.h"
#include "cityops/core/util.h"

#define MAX_STEPS   20000
#define MAX_EXPECTS 1000
#define MAX_SECS    (7L * 24 * 3600) /* a drill lasts at most a week */
#define MAX_COUNT   200              /* --count of one incident step */

struct parser {
	const char *file;
	int line;
	int nerrors;
	struct buf *errors;
	struct drill *d;
	int have_end;
	/* the line's words */
	char **w;
	int n;
	const char *raw; /* the line's text, comment removed */
};

/* A --name value pair of a line. */
struct drill_opt {
	const char *name;
	const char *value;
};

/* Reports an error at the current line (up to DRILL_MAX_ERRORS). */
void parse_error(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether s is a $label, an operator's login, an indicator id. */
int parse_valid_label(const char *s);
int parse_valid_login(const char *s);
int parse_valid_indicator(const char *s);
/* A finite number, or NAN. */
double parse_number(const char *s);
/* A whole number in [lo, hi], or LONG_MIN. */
long parse_integer(const char *s, long lo, long hi);
/* Whether s is valid UTF-8 without control characters (else reported). */
int parse_clean_text(struct parser *p, const char *what, const char *s);
/* Appends a step at drill second at; NULL (reported) when there are too
 * many. */
struct drill_step *parse_new_step(struct parser *p, long at,
                                  enum drill_step_kind kind);
/*
 * Splits words[from..n) into positionals and --options. Each option in
 * names (space separated) takes one value. Returns the count of
 * positionals (copied to pos) or -1 after reporting an error.
 */
int parse_split_opts(struct parser *p, int from, const char *names,
                     const char **pos, int maxpos, struct drill_opt *opts,
                     int maxopts, int *nopts);
/* The last value given for option name, or NULL. */
const char *parse_opt_get(const struct drill_opt *opts, int n,
                          const char *name);
/* A copy of s, or NULL for NULL. */
char *parse_dup(const char *s);
/* Words w[from..n) joined by spaces; the caller frees it. */
char *parse_join(const char **w, int from, int n);
/* Whether s is in the NULL-terminated list. */
int parse_one_of(const char *s, const char *const *list);
/* A milestone by code or word, or -1. */
int parse_milestone(const char *w);

/* drill-parse-step.c: an `at T …` line. */
void parse_at(struct parser *p);
/* drill-parse-expect.c: an `expect …` line. */
void parse_expect(struct parser *p);

#endif
