/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The drill file's `expect …` lines, parsed and checked into a struct
 * drill_expect. The rest of the parser is in drill-parse.c.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drill-parser.h"

/* "by +T", "at +T", "within D", "throughout"; returns words used or -1. */
static int
parse_when(struct parser *p, int i, struct drill_expect *x, int allow_within,
           int allow_throughout)
{
	if (i >= p->n) {
		parse_error(
		    p,
		    "the expectation needs a deadline: within <duration>, "
		    "by <+time>%s",
		    allow_throughout ? ", at <+time> or throughout" : "");
		return -1;
	}
	if (strcmp(p->w[i], "throughout") == 0 && allow_throughout) {
		x->when = DRILL_THROUGHOUT;
		return 1;
	}
	if (strcmp(p->w[i], "end") == 0 ||
	    (strcmp(p->w[i], "at") == 0 && i + 1 < p->n &&
	     strcmp(p->w[i + 1], "end") == 0)) {
		x->when = DRILL_AT_END;
		return strcmp(p->w[i], "end") == 0 ? 1 : 2;
	}
	if (i + 1 >= p->n) {
		parse_error(p, "'%s' needs a value", p->w[i]);
		return -1;
	}
	if (strcmp(p->w[i], "within") == 0 && allow_within) {
		x->when = DRILL_WITHIN;
		x->secs = drill_parse_duration(p->w[i + 1]);
		if (x->secs < 0) {
			parse_error(p,
			            "bad duration '%s' (e.g. 90s, 2m, 1h30m)",
			            p->w[i + 1]);
			return -1;
		}
		return 2;
	}
	if (strcmp(p->w[i], "by") == 0 ||
	    (strcmp(p->w[i], "at") == 0 && allow_throughout)) {
		x->when = strcmp(p->w[i], "by") == 0 ? DRILL_BY : DRILL_AT;
		x->secs = drill_parse_time(p->w[i + 1]);
		if (x->secs < 0 || x->secs > MAX_SECS) {
			parse_error(p,
			            "bad time '%s' (write +HH:MM or +HH:MM:SS)",
			            p->w[i + 1]);
			return -1;
		}
		return 2;
	}
	parse_error(
	    p, "unknown deadline '%s' (within <duration>, by <+time>%s)",
	    p->w[i], allow_throughout ? ", at <+time>, throughout" : "");
	return -1;
}

static int
parse_cmp(const char *s, enum drill_cmp *c)
{
	static const struct {
		const char *op;
		enum drill_cmp c;
	} ops[] = {{"=", DRILL_EQ},  {"==", DRILL_EQ}, {"!=", DRILL_NE},
	           {"<", DRILL_LT},  {"<=", DRILL_LE}, {">", DRILL_GT},
	           {">=", DRILL_GE}, {NULL, DRILL_EQ}};

	for (int i = 0; ops[i].op != NULL; i++)
		if (strcmp(s, ops[i].op) == 0) {
			*c = ops[i].c;
			return 0;
		}
	return -1;
}

/* "expect $label …"; returns the index of the word after it, or -1. */
static int
expect_label(struct parser *p, struct drill_expect *x)
{
	int i, k, m;

	if (!parse_valid_label(p->w[1])) {
		parse_error(p, "bad label %s", p->w[1]);
		return -1;
	}
	if (p->n < 3) {
		parse_error(p,
		            "expect %s what? (acknowledged, dispatched, "
		            "accepted, arrived, resolved, verified, "
		            "closed, sla, reports)",
		            p->w[1]);
		return -1;
	}
	if (strcmp(p->w[2], "sla") == 0) {
		x->kind = DRILL_X_SLA;
		x->when = DRILL_AT_END;
		i = 3;
		if (i < p->n && strcmp(p->w[i], "met") == 0)
			i++;
	} else if (strcmp(p->w[2], "reports") == 0) {
		x->kind = DRILL_X_REPORTS;
		if (p->n < 5 || parse_cmp(p->w[3], &x->cmp) != 0 ||
		    (x->n = parse_integer(p->w[4], 0, 100000)) == LONG_MIN) {
			parse_error(p, "usage: expect $label reports <op> <n> "
			               "by <+time>");
			return -1;
		}
		if ((k = parse_when(p, 5, x, 0, 0)) < 0)
			return -1;
		i = 5 + k;
	} else if ((m = parse_milestone(p->w[2])) >= 0) {
		x->kind = DRILL_X_MILESTONE;
		x->milestone = (enum drill_milestone)m;
		if ((k = parse_when(p, 3, x, 1, 0)) < 0)
			return -1;
		i = 3 + k;
	} else {
		parse_error(p,
		            "unknown milestone '%s' (acknowledged, "
		            "dispatched, accepted, arrived, resolved, "
		            "verified, closed, sla, reports)",
		            p->w[2]);
		return -1;
	}
	x->label = xstrdup(p->w[1] + 1);
	return i;
}

/* "expect alarm …"; returns the index of the word after it, or -1. */
static int
expect_alarm(struct parser *p, struct drill_expect *x)
{
	static const char *const whats[] = {"raised", "alarm", "acknowledged",
	                                    "cleared", NULL};
	int what = -1, k;

	x->kind = DRILL_X_ALARM;
	if (p->n < 4 || !parse_valid_indicator(p->w[2])) {
		parse_error(p, "usage: expect alarm <indicator> "
		               "<raised|alarm|acknowledged|cleared> by "
		               "<+time>");
		return -1;
	}
	for (int j = 0; whats[j] != NULL; j++)
		if (strcmp(p->w[3], whats[j]) == 0)
			what = j;
	if (what < 0) {
		parse_error(p,
		            "unknown alarm state '%s' (raised, alarm, "
		            "acknowledged, cleared)",
		            p->w[3]);
		return -1;
	}
	x->alarm = (enum drill_alarm_what)what;
	if ((k = parse_when(p, 4, x, 0, 0)) < 0)
		return -1;
	x->indicator = xstrdup(p->w[2]);
	return 4 + k;
}

/* "expect available …"; returns the index of the word after it, or -1. */
static int
expect_available(struct parser *p, struct drill_expect *x)
{
	int k;

	x->kind = DRILL_X_UNITS;
	if (p->n < 7 || strcmp(p->w[3], "in") != 0 ||
	    parse_cmp(p->w[5], &x->cmp) != 0 ||
	    (x->n = parse_integer(p->w[6], 0, 100000)) == LONG_MIN) {
		parse_error(p, "usage: expect available <unit kind> in "
		               "<region> <op> <n> at|by <+time> | "
		               "throughout  (op: = != < <= > >=)");
		return -1;
	}
	if (!parse_clean_text(p, "the unit kind", p->w[2]) ||
	    !parse_clean_text(p, "the region", p->w[4]))
		return -1;
	if ((k = parse_when(p, 7, x, 0, 1)) < 0)
		return -1;
	x->unit_kind = xstrdup(p->w[2]);
	x->region = xstrdup(p->w[4]);
	return 7 + k;
}

void
parse_expect(struct parser *p)
{
	struct drill *d = p->d;
	struct drill_expect x = {0};
	int i;

	x.line = p->line;
	if (p->n < 2) {
		parse_error(
		    p, "usage: expect $label <milestone> within <duration> | "
		       "expect alarm <indicator> <raised|alarm|acknowledged|"
		       "cleared> by <+time> | expect available <kind> in "
		       "<region> <op> <n> at|by <+time>|throughout");
		return;
	}
	if (d->nexpects >= MAX_EXPECTS) {
		parse_error(p, "too many expectations (at most %d)",
		            MAX_EXPECTS);
		return;
	}
	if (p->w[1][0] == '$')
		i = expect_label(p, &x);
	else if (strcmp(p->w[1], "alarm") == 0)
		i = expect_alarm(p, &x);
	else if (strcmp(p->w[1], "available") == 0)
		i = expect_available(p, &x);
	else {
		parse_error(
		    p, "unknown expectation '%s' ($label, alarm, available)",
		    p->w[1]);
		return;
	}
	if (i < 0)
		return;
	if (i < p->n) {
		parse_error(p, "unexpected '%s' at the end of the expectation",
		            p->w[i]);
		free(x.label);
		free(x.indicator);
		free(x.unit_kind);
		free(x.region);
		return;
	}
	x.text = parse_join((const char **)p->w, 1, p->n);
	d->expects = xrealloc(d->expects, (size_t)(d->nexpects + 1) * sizeof x);
	d->expects[d->nexpects++] = x;
}
