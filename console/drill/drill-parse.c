/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The drill file parser. A drill file is lines of words (quoted as on the
 * command line); '#' starts a comment outside quotes. The whole file is
 * parsed and checked before anything runs, and every error is reported
 * with its line, up to DRILL_MAX_ERRORS. The format is in docs/drills.md.
 *
 * This file has the lines, words and options, the header lines (drill,
 * speed, end, injector, human) and the checks of the whole drill;
 * drill-parse-step.c the `at` lines, drill-parse-expect.c the `expect`
 * lines.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd.h"
#include "cityops/core/text.h"
#include "drill-parser.h"

#define MAX_LINE 4096

static const char *const m_code[] = {
#define X(code, word, label) #code,
    DRILL_MILESTONES(X)
#undef X
};
static const char *const m_word[] = {
#define X(code, word, label) word,
    DRILL_MILESTONES(X)
#undef X
};

const char *
drill_milestone_code(enum drill_milestone m)
{
	return m_code[m];
}

const char *
drill_milestone_word(enum drill_milestone m)
{
	return m_word[m];
}

/* Commands a drill may not type: they change real, shared state. */

void
parse_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	p->nerrors++;
	if (p->nerrors > DRILL_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_printf(p->errors, "%s:%d: %s\n", p->file, p->line,
	           msg ? msg : "error");
	if (p->nerrors == DRILL_MAX_ERRORS)
		buf_printf(p->errors, "%s: too many errors; stopping\n",
		           p->file);
	free(msg);
}

long
drill_parse_time(const char *s)
{
	long part[3];
	int n = 0;
	const char *q;

	if (s == NULL || *s != '+')
		return -1;
	q = s + 1;
	for (;;) {
		long v = 0;
		int digits = 0;
		while (isdigit((unsigned char)*q) && digits < 4) {
			v = v * 10 + (*q++ - '0');
			digits++;
		}
		if (digits == 0 || (n > 0 && digits != 2) || n == 3)
			return -1;
		if (n > 0 && v > 59)
			return -1;
		part[n++] = v;
		if (*q == '\0')
			break;
		if (*q++ != ':')
			return -1;
	}
	if (n == 2)
		return part[0] * 3600 + part[1] * 60;
	if (n == 3)
		return part[0] * 3600 + part[1] * 60 + part[2];
	return -1;
}

long
drill_parse_duration(const char *s)
{
	long total = 0;
	int parts = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		long v = 0;
		int digits = 0;
		while (isdigit((unsigned char)*s) && digits < 7) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (digits == 0)
			return -1;
		if (strncmp(s, "min", 3) == 0) {
			v *= 60;
			s += 3;
		} else if (*s == 'h') {
			v *= 3600;
			s++;
		} else if (*s == 'm') {
			v *= 60;
			s++;
		} else if (*s == 's') {
			s++;
		} else {
			return -1;
		}
		total += v;
		if (total > MAX_SECS || ++parts > 3)
			return -1;
	}
	return total;
}

void
drill_format_time(long secs, char *out, size_t outsz)
{
	long s = secs < 0 ? -secs : secs;

	if (s % 60 == 0)
		snprintf(out, outsz, "%s%02ld:%02ld", secs < 0 ? "-" : "+",
		         s / 3600, s / 60 % 60);
	else
		snprintf(out, outsz, "%s%02ld:%02ld:%02ld",
		         secs < 0 ? "-" : "+", s / 3600, s / 60 % 60, s % 60);
}

int
drill_is_human(const struct drill *d, const char *login)
{
	for (int i = 0; i < d->nhumans; i++)
		if (strcmp(d->humans[i], login) == 0)
			return 1;
	return 0;
}

int
parse_valid_label(const char *s)
{
	if (s[0] != '$' || s[1] == '\0' || strlen(s) > 63)
		return 0;
	for (const char *q = s + 1; *q != '\0'; q++)
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-' &&
		    *q != '.')
			return 0;
	return 1;
}

int
parse_valid_login(const char *s)
{
	if (*s == '\0' || strlen(s) > 63)
		return 0;
	for (const char *q = s; *q != '\0'; q++)
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-' &&
		    *q != '.')
			return 0;
	return 1;
}

int
parse_valid_indicator(const char *s)
{
	int dots = 0;

	if (*s == '\0' || *s == '.' || strlen(s) > 120)
		return 0;
	for (const char *q = s; *q != '\0'; q++) {
		if (*q == '.') {
			if (q[1] == '.' || q[1] == '\0')
				return 0;
			dots++;
		} else if (!islower((unsigned char)*q) &&
		           !isdigit((unsigned char)*q) && *q != '_') {
			return 0;
		}
	}
	return dots > 0;
}

/* A finite number, or NAN. */
double
parse_number(const char *s)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v))
		return NAN;
	return v;
}

long
parse_integer(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return LONG_MIN;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < lo || v > hi)
		return LONG_MIN;
	return v;
}

/* Text from a drill file goes to the database and the report: it must be
 * valid UTF-8 without control characters. */
int
parse_clean_text(struct parser *p, const char *what, const char *s)
{
	char *clean;
	int ok;

	if (!text_utf8_valid(s, strlen(s))) {
		parse_error(p, "%s is not valid UTF-8", what);
		return 0;
	}
	clean = text_sanitize_dup(s, strlen(s));
	ok = strcmp(clean, s) == 0;
	free(clean);
	if (!ok)
		parse_error(p, "%s has control characters", what);
	return ok;
}

struct drill_step *
parse_new_step(struct parser *p, long at, enum drill_step_kind kind)
{
	struct drill *d = p->d;
	struct drill_step *s;

	if (d->nsteps >= MAX_STEPS) {
		parse_error(p, "too many steps (at most %d)", MAX_STEPS);
		return NULL;
	}
	d->steps = xrealloc(d->steps, (size_t)(d->nsteps + 1) * sizeof *s);
	s = &d->steps[d->nsteps++];
	memset(s, 0, sizeof *s);
	s->line = p->line;
	s->at = at;
	s->kind = kind;
	s->count = 1;
	return s;
}

static void
step_clear(struct drill_step *s)
{
	free(s->label);
	free(s->category);
	free(s->region);
	free(s->title);
	free(s->source);
	free(s->location);
	free(s->desc);
	free(s->dedup);
	free(s->event);
	free(s->severity);
	free(s->urgency);
	free(s->certainty);
	free(s->sender);
	free(s->indicator);
	free(s->login);
	free(s->command);
}

int
parse_split_opts(struct parser *p, int from, const char *names,
                 const char **pos, int maxpos, struct drill_opt *opts,
                 int maxopts, int *nopts)
{
	int npos = 0;

	*nopts = 0;
	for (int i = from; i < p->n; i++) {
		const char *w = p->w[i];
		if (strncmp(w, "--", 2) == 0 && w[2] != '\0') {
			size_t len = strlen(w + 2);
			const char *q = names;
			int found = 0;
			while (*q != '\0') {
				size_t k = strcspn(q, " ");
				if (k == len && strncmp(q, w + 2, k) == 0)
					found = 1;
				q += k;
				q += strspn(q, " ");
			}
			if (!found) {
				parse_error(p, "unknown option %s", w);
				return -1;
			}
			if (i + 1 >= p->n) {
				parse_error(p, "%s needs a value", w);
				return -1;
			}
			if (*nopts == maxopts) {
				parse_error(p, "too many options");
				return -1;
			}
			opts[*nopts].name = w + 2;
			opts[*nopts].value = p->w[++i];
			(*nopts)++;
			continue;
		}
		if (npos == maxpos) {
			parse_error(p, "too many words");
			return -1;
		}
		pos[npos++] = w;
	}
	return npos;
}

const char *
parse_opt_get(const struct drill_opt *opts, int n, const char *name)
{
	const char *v = NULL;

	for (int i = 0; i < n; i++)
		if (strcmp(opts[i].name, name) == 0)
			v = opts[i].value;
	return v;
}

char *
parse_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

char *
parse_join(const char **w, int from, int n)
{
	struct buf b = {0};

	for (int i = from; i < n; i++) {
		if (i > from)
			buf_adds(&b, " ");
		buf_adds(&b, w[i]);
	}
	return b.data ? b.data : xstrdup("");
}

int
parse_one_of(const char *s, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int
parse_milestone(const char *w)
{
	for (int m = 0; m < DRILL_M_COUNT; m++)
		if (strcmp(w, m_code[m]) == 0 || strcmp(w, m_word[m]) == 0)
			return m;
	if (strcmp(w, "on_scene") == 0)
		return DRILL_M_arrive;
	return -1;
}

static void
parse_line(struct parser *p)
{
	struct drill *d = p->d;
	const char *w0 = p->w[0];

	if (strcmp(w0, "at") == 0) {
		parse_at(p);
	} else if (strcmp(w0, "expect") == 0) {
		parse_expect(p);
	} else if (strcmp(w0, "drill") == 0) {
		if (d->title != NULL)
			parse_error(p, "the drill already has a title");
		else if (p->n < 2)
			parse_error(p, "usage: drill <title...>");
		else {
			char *t = parse_join((const char **)p->w, 1, p->n);
			if (parse_clean_text(p, "the title", t))
				d->title = t;
			else
				free(t);
		}
	} else if (strcmp(w0, "speed") == 0) {
		double v = p->n == 2 ? parse_number(p->w[1]) : NAN;
		if (p->n == 2 && strcmp(p->w[1], "max") == 0)
			d->speed = -1;
		else if (isnan(v) || v <= 0 || v > 1e6)
			parse_error(p, "usage: speed <N|max> (N > 0)");
		else
			d->speed = v;
	} else if (strcmp(w0, "end") == 0) {
		long t = p->n == 2 ? drill_parse_time(p->w[1]) : -1;
		if (t < 0 || t > MAX_SECS)
			parse_error(p, "usage: end <+HH:MM[:SS]>");
		else if (p->have_end)
			parse_error(p, "the drill already has an end");
		else {
			d->end = t;
			p->have_end = 1;
		}
	} else if (strcmp(w0, "injector") == 0) {
		if (p->n != 2 || !parse_valid_login(p->w[1]))
			parse_error(p, "usage: injector <login>");
		else {
			free(d->injector);
			d->injector = xstrdup(p->w[1]);
		}
	} else if (strcmp(w0, "human") == 0) {
		if (p->n < 2)
			parse_error(p, "usage: human <login>...");
		for (int i = 1; i < p->n; i++) {
			if (!parse_valid_login(p->w[i])) {
				parse_error(p, "bad login '%s'", p->w[i]);
				continue;
			}
			if (drill_is_human(d, p->w[i]))
				continue;
			d->humans =
			    xrealloc(d->humans, (size_t)(d->nhumans + 1) *
			                            sizeof *d->humans);
			d->humans[d->nhumans++] = xstrdup(p->w[i]);
		}
	} else {
		parse_error(
		    p,
		    "unknown line '%s' (drill, speed, end, injector, human, "
		    "at, expect)",
		    w0);
	}
}

/* Removes a '#' comment that is outside quotes; returns a new string. */
static char *
strip_comment(const char *line)
{
	char quote = 0;
	const char *q;

	for (q = line; *q != '\0'; q++) {
		if (quote != 0) {
			if (*q == '\\' && quote == '"' && q[1] != '\0')
				q++;
			else if (*q == quote)
				quote = 0;
		} else if (*q == '\\' && q[1] != '\0') {
			q++;
		} else if (*q == '"' || *q == '\'') {
			quote = *q;
		} else if (*q == '#' &&
		           (q == line || q[-1] == ' ' || q[-1] == '\t')) {
			break;
		}
	}
	return xstrndup(line, (size_t)(q - line));
}

/* The labels a command line uses: each "$name" word part. */
static void
check_command_labels(struct parser *p, const struct drill_step *s,
                     const struct drill *d)
{
	const char *q = s->command;

	while ((q = strchr(q, '$')) != NULL) {
		size_t k = 1;
		char name[64];
		int found = 0;
		while (isalnum((unsigned char)q[k]) || q[k] == '_' ||
		       q[k] == '-' || q[k] == '.')
			k++;
		if (k == 1 || k > sizeof name) {
			q += k;
			continue;
		}
		memcpy(name, q + 1, k - 1);
		name[k - 1] = '\0';
		for (int i = 0; i < d->nsteps; i++) {
			const struct drill_step *t = &d->steps[i];
			if (t->label != NULL && strcmp(t->label, name) == 0) {
				found = 1;
				if (t->at > s->at ||
				    (t->at == s->at && t->line > s->line)) {
					p->line = s->line;
					parse_error(
					    p,
					    "$%s is used before line %d "
					    "raises it",
					    name, t->line);
				}
			}
		}
		if (!found) {
			p->line = s->line;
			parse_error(p, "unknown label $%s (no step raises it)",
			            name);
		}
		q += k;
	}
}

static int
by_time(const void *a, const void *b)
{
	const struct drill_step *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Whole-file checks, once every line is read. */
static void
check_drill(struct parser *p)
{
	struct drill *d = p->d;
	long last = 0;

	p->line = 0;
	if (d->title == NULL) {
		p->line = 1;
		parse_error(p,
		            "the drill has no title (a line 'drill <title>')");
	}
	if (d->nsteps == 0 && p->nerrors == 0) {
		p->line = 1;
		parse_error(p, "the drill has no steps ('at <+time> ...')");
	}
	if (d->nsteps > 1)
		qsort(d->steps, (size_t)d->nsteps, sizeof *d->steps, by_time);
	for (int i = 0; i < d->nsteps; i++) {
		struct drill_step *s = &d->steps[i];
		if (s->label != NULL)
			for (int j = 0; j < i; j++)
				if (d->steps[j].label != NULL &&
				    strcmp(d->steps[j].label, s->label) == 0) {
					p->line = s->line;
					parse_error(
					    p,
					    "label $%s is already raised at "
					    "line %d",
					    s->label, d->steps[j].line);
				}
		if (s->at > last)
			last = s->at;
	}
	for (int i = 0; i < d->nsteps; i++)
		if (d->steps[i].kind == DRILL_AS)
			check_command_labels(p, &d->steps[i], d);
	for (int i = 0; i < d->nexpects; i++) {
		struct drill_expect *x = &d->expects[i];
		long t = x->secs;
		if (x->label != NULL) {
			const struct drill_step *def = NULL;
			for (int j = 0; j < d->nsteps; j++)
				if (d->steps[j].label != NULL &&
				    strcmp(d->steps[j].label, x->label) == 0)
					def = &d->steps[j];
			if (def == NULL) {
				p->line = x->line;
				parse_error(
				    p, "unknown label $%s (no step raises it)",
				    x->label);
				continue;
			}
			if (x->when == DRILL_WITHIN)
				t = def->at + x->secs;
		}
		if (x->when == DRILL_THROUGHOUT || x->when == DRILL_AT_END)
			t = 0;
		if (t > last)
			last = t;
	}
	if (!p->have_end)
		d->end = last;
	else if (d->end < last) {
		p->line = 0;
		for (int i = 0; i < d->nexpects; i++)
			if (d->expects[i].when == DRILL_BY ||
			    d->expects[i].when == DRILL_AT)
				if (d->expects[i].secs > d->end)
					p->line = d->expects[i].line;
		for (int i = 0; i < d->nsteps; i++)
			if (d->steps[i].at > d->end)
				p->line = d->steps[i].line;
		if (p->line == 0)
			p->line = 1;
		parse_error(p, "this comes after the drill's end");
	}
	if (d->injector == NULL)
		d->injector = xstrdup("cityops_ingest");
}

int
drill_parse(const char *text, size_t len, const char *file, struct drill **out,
            struct buf *errors)
{
	struct parser p = {.file = file ? file : "drill", .errors = errors};
	size_t off = 0;

	*out = NULL;
	p.d = xcalloc(1, sizeof *p.d);
	if (len > 0 && memchr(text, '\0', len) != NULL) {
		p.line = 1;
		parse_error(&p, "the file has NUL bytes; a drill file is text");
		drill_free(&p.d);
		return p.nerrors;
	}
	while (off < len && p.nerrors < DRILL_MAX_ERRORS) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		char *line, *raw;
		const char *err;

		p.line++;
		if (n > MAX_LINE) {
			parse_error(&p, "line longer than %d bytes", MAX_LINE);
			off += n + 1;
			continue;
		}
		line = xstrndup(text + off, n);
		off += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (!text_utf8_valid(line, strlen(line))) {
			parse_error(&p, "not valid UTF-8");
			free(line);
			continue;
		}
		raw = strip_comment(line);
		free(line);
		if (cmd_split(raw, &p.n, &p.w, &err) != 0) {
			parse_error(&p, "%s", err);
			free(raw);
			continue;
		}
		p.raw = raw;
		if (p.n > 0)
			parse_line(&p);
		cmd_free_argv(p.w);
		p.w = NULL;
		free(raw);
	}
	/* The whole-file checks run even after line errors, so that one
	 * pass reports as much as it can. */
	if (p.nerrors < DRILL_MAX_ERRORS)
		check_drill(&p);
	if (p.nerrors > 0) {
		drill_free(&p.d);
		return p.nerrors;
	}
	*out = p.d;
	return 0;
}

void
drill_free(struct drill **dp)
{
	struct drill *d = *dp;

	if (d == NULL)
		return;
	for (int i = 0; i < d->nsteps; i++)
		step_clear(&d->steps[i]);
	for (int i = 0; i < d->nexpects; i++) {
		free(d->expects[i].text);
		free(d->expects[i].label);
		free(d->expects[i].indicator);
		free(d->expects[i].unit_kind);
		free(d->expects[i].region);
	}
	for (int i = 0; i < d->nhumans; i++)
		free(d->humans[i]);
	free(d->humans);
	free(d->steps);
	free(d->expects);
	free(d->title);
	free(d->injector);
	free(d);
	*dp = NULL;
}
