/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Scenario files (docs/scenarios.md): directives one a line, parsed and
 * checked whole into a struct scenario; the stream it defines is
 * scenario.c.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cityops/core/datadir.h"
#include "cityops/core/util.h"
#include "scenario-internal.h"

#define MAX_SIGNALS  4096
#define MAX_EVENTS   4096
#define MAX_POINTS   1024
#define MAX_CYCLE    2000000 /* messages in one cycle */
#define MAX_TOKEN    512
#define DEFAULT_STEP 60
#define DEFAULT_LEN  3600

/* A cursor over one line's whitespace-separated tokens. */
struct line {
	const char *p, *end;
};

static int
next_token(struct line *l, char *tok, size_t toksz)
{
	size_t n;

	while (l->p < l->end && isspace((unsigned char)*l->p))
		l->p++;
	if (l->p >= l->end)
		return 0;
	for (n = 0; l->p < l->end && !isspace((unsigned char)*l->p); l->p++)
		if (n + 1 < toksz)
			tok[n++] = *l->p;
		else
			return -1;
	tok[n] = '\0';
	return 1;
}

/* The rest of the line, trimmed, as a new string. */
static char *
rest(struct line *l)
{
	const char *s = l->p, *e = l->end;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

static int
parse_num(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return *s != '\0' && *end == '\0' && errno == 0 && isfinite(*v) ? 0
	                                                                : -1;
}

/* An identifier safe to write into JSON without escaping. */
static int
plain_ident(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || *s == '"' || *s == '\\' ||
		    (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

static int
point_cmp(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

static int
event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errsz, "line %u: ", lineno);                     \
		snprintf(err + strlen(err), errsz - strlen(err), __VA_ARGS__); \
		goto fail;                                                     \
	} while (0)

static int
parse_signal(struct scenario *sc, struct line *l, char *err, size_t errsz,
             unsigned lineno)
{
	char tok[MAX_TOKEN];
	struct signal s = {0};
	int r;

	if (sc->nsig == MAX_SIGNALS)
		FAIL("more than %d signals", MAX_SIGNALS);
	if (next_token(l, tok, sizeof tok) != 1 || !plain_ident(tok))
		FAIL("signal needs an indicator key");
	s.key = xstrdup(tok);
	s.decimals = 2;
	while ((r = next_token(l, tok, sizeof tok)) == 1) {
		char *eq = strchr(tok, '=');
		double t, v;
		if (strcmp(tok, "ngsi") == 0) {
			char a[MAX_TOKEN], b[MAX_TOKEN], c[MAX_TOKEN];
			if (s.etype != NULL ||
			    next_token(l, a, sizeof a) != 1 ||
			    next_token(l, b, sizeof b) != 1 ||
			    next_token(l, c, sizeof c) != 1 ||
			    !plain_ident(a) || !plain_ident(b) ||
			    !plain_ident(c))
				FAIL("ngsi needs TYPE ENTITY-ID ATTRIBUTE");
			s.etype = xstrdup(a);
			s.eid = xstrdup(b);
			s.attr = xstrdup(c);
		} else if (strcmp(tok, "unit") == 0) {
			/* The UN/CEFACT code the entity states (unitCode). */
			if (s.unit != NULL ||
			    next_token(l, tok, sizeof tok) != 1 ||
			    !plain_ident(tok) || strlen(tok) > 3)
				FAIL("unit needs a UN/CEFACT code, e.g. KMH");
			s.unit = xstrdup(tok);
		} else if (strcmp(tok, "noise") == 0) {
			if (next_token(l, tok, sizeof tok) != 1 ||
			    parse_num(tok, &s.noise) != 0 || s.noise < 0 ||
			    s.noise > 1e12)
				FAIL("noise needs a number >= 0");
		} else if (strcmp(tok, "decimals") == 0) {
			if (next_token(l, tok, sizeof tok) != 1 ||
			    parse_num(tok, &v) != 0 || v < 0 || v > 9 ||
			    v != floor(v))
				FAIL("decimals needs 0 to 9");
			s.decimals = (int)v;
		} else if (eq != NULL) {
			*eq = '\0';
			if (parse_num(tok, &t) != 0 ||
			    parse_num(eq + 1, &v) != 0 || t < 0 ||
			    fabs(v) > 1e15)
				FAIL("a point is TIME=VALUE, time >= 0");
			if (s.npts == MAX_POINTS)
				FAIL("more than %d points", MAX_POINTS);
			s.pts = xrealloc(s.pts, (s.npts + 1) * sizeof *s.pts);
			s.pts[s.npts].t = t;
			s.pts[s.npts].v = v;
			s.npts++;
		} else {
			FAIL("unknown word '%s' in signal", tok);
		}
	}
	if (r < 0)
		FAIL("word too long");
	if (s.npts == 0)
		FAIL("signal %s has no TIME=VALUE points", s.key);
	qsort(s.pts, s.npts, sizeof *s.pts, point_cmp);
	s.nonneg = 1;
	for (size_t i = 0; i < s.npts; i++)
		if (s.pts[i].v < 0)
			s.nonneg = 0;
	sc->sig = xrealloc(sc->sig, (sc->nsig + 1) * sizeof *sc->sig);
	sc->sig[sc->nsig++] = s;
	return 0;
fail:
	free(s.key);
	free(s.etype);
	free(s.eid);
	free(s.attr);
	free(s.unit);
	free(s.pts);
	return -1;
}

static int
parse_at(struct scenario *sc, struct line *l, char *err, size_t errsz,
         unsigned lineno)
{
	char tok[MAX_TOKEN];
	struct event e = {0};

	if (sc->nev == MAX_EVENTS)
		FAIL("more than %d timed messages", MAX_EVENTS);
	if (next_token(l, tok, sizeof tok) != 1 || parse_num(tok, &e.t) != 0 ||
	    e.t < 0)
		FAIL("at needs a time in seconds");
	if (next_token(l, tok, sizeof tok) != 1)
		FAIL("at needs a format: native, ngsi, cap or open311");
	if (strcmp(tok, "native") == 0)
		e.fmt = EVF_NATIVE;
	else if (strcmp(tok, "ngsi") == 0)
		e.fmt = EVF_NGSI;
	else if (strcmp(tok, "cap") == 0)
		e.fmt = EVF_CAP;
	else if (strcmp(tok, "open311") == 0)
		e.fmt = EVF_OPEN311;
	else
		FAIL("unknown format '%s'", tok);
	e.text = rest(l);
	if (e.text[0] == '\0') {
		free(e.text);
		FAIL("at needs a message");
	}
	sc->ev = xrealloc(sc->ev, (sc->nev + 1) * sizeof *sc->ev);
	sc->ev[sc->nev++] = e;
	return 0;
fail:
	return -1;
}

/* The scenario-wide directives: name, title, step, length, heartbeat.
 * Returns 0, or -1 with err set. */
static int
parse_setting(struct scenario *sc, struct line *l, const char *word, char *err,
              size_t errsz, unsigned lineno)
{
	char tok[MAX_TOKEN];
	double v;

	if (strcmp(word, "name") == 0) {
		if (next_token(l, tok, sizeof tok) != 1 || !plain_ident(tok))
			FAIL("name needs one word");
		free(sc->name);
		sc->name = xstrdup(tok);
		return 0;
	}
	if (strcmp(word, "title") == 0) {
		free(sc->title);
		sc->title = rest(l);
		return 0;
	}
	if (next_token(l, tok, sizeof tok) != 1 || parse_num(tok, &v) != 0)
		FAIL("%s needs a number", word);
	if (word[0] == 's') {
		if (v < 0.001 || v > 1e9)
			FAIL("step must be 0.001 to 1e9 s");
		sc->step = v;
	} else if (word[0] == 'l') {
		if (v <= 0 || v > 1e12)
			FAIL("length must be > 0");
		sc->length = v;
	} else {
		if (v < 0 || v > 1e9 || v != floor(v))
			FAIL("heartbeat is a tick count >= 0");
		sc->heartbeat = (uint64_t)v;
	}
	return 0;
fail:
	return -1;
}

/* Checks the whole scenario and derives its ticks; 0, or -1 with err. */
static int
finish_scenario(struct scenario *sc, char *err, size_t errsz)
{
	struct scenario_opts o = {0};

	if (sc->nsig == 0 && sc->nev == 0) {
		snprintf(err, errsz, "no signal and no timed message");
		return -1;
	}
	if (sc->length < sc->step) {
		snprintf(err, errsz, "length is shorter than one step");
		return -1;
	}
	sc->ticks = (uint64_t)floor(sc->length / sc->step);
	if ((double)sc->ticks * (double)(sc->nsig + 1) + (double)sc->nev >
	    MAX_CYCLE) {
		snprintf(err, errsz,
		         "one cycle would hold over %d messages; use a longer "
		         "step",
		         MAX_CYCLE);
		return -1;
	}
	for (size_t i = 0; i < sc->nev; i++)
		if (sc->ev[i].t >= (double)sc->ticks * sc->step) {
			snprintf(err, errsz,
			         "a timed message at %g s is past the length",
			         sc->ev[i].t);
			return -1;
		}
	if (sc->nev > 1)
		qsort(sc->ev, sc->nev, sizeof *sc->ev, event_cmp);
	for (size_t i = 0; i < sc->nev; i++)
		sc->ev[i].tick = (uint64_t)floor(sc->ev[i].t / sc->step);
	if (sc->name == NULL)
		sc->name = xstrdup("scenario");
	if (sc->title == NULL)
		sc->title = xstrdup(sc->name);
	scenario_set_opts(sc, &o);
	return 0;
}

int
scenario_parse(const char *text, size_t len, struct scenario **out, char *err,
               size_t errsz)
{
	struct scenario *sc = xcalloc(1, sizeof *sc);
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	char tok[MAX_TOKEN];

	*out = NULL;
	sc->step = DEFAULT_STEP;
	sc->length = DEFAULT_LEN;
	sc->heartbeat = 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct line l = {p, nl ? nl : end};
		int r;

		lineno++;
		p = nl ? nl + 1 : end;
		if (memchr(l.p, '\0', (size_t)(l.end - l.p)) != NULL)
			FAIL("NUL byte");
		r = next_token(&l, tok, sizeof tok);
		if (r < 0)
			FAIL("word too long");
		if (r == 0 || tok[0] == '#')
			continue;
		if (strcmp(tok, "name") == 0 || strcmp(tok, "title") == 0 ||
		    strcmp(tok, "step") == 0 || strcmp(tok, "length") == 0 ||
		    strcmp(tok, "heartbeat") == 0) {
			if (parse_setting(sc, &l, tok, err, errsz, lineno) != 0)
				goto fail;
		} else if (strcmp(tok, "signal") == 0) {
			if (parse_signal(sc, &l, err, errsz, lineno) != 0)
				goto fail;
		} else if (strcmp(tok, "at") == 0) {
			if (parse_at(sc, &l, err, errsz, lineno) != 0)
				goto fail;
		} else {
			FAIL("unknown directive '%s'", tok);
		}
	}
	if (finish_scenario(sc, err, errsz) != 0)
		goto fail;
	*out = sc;
	return 0;
fail:
	scenario_free(&sc);
	return -1;
}

struct scenario *
scenario_load(const char *name_or_path, char *err, size_t errsz)
{
	char path[8192];
	const char *env = getenv("CITYOPS_SCENARIOS");
	struct buf b = {0};
	struct scenario *sc = NULL;
	FILE *f = NULL;
	char chunk[8192];
	size_t n;

	if (strchr(name_or_path, '/') != NULL ||
	    (strlen(name_or_path) > 4 &&
	     strcmp(name_or_path + strlen(name_or_path) - 4, ".scn") == 0)) {
		f = fopen(name_or_path, "r");
		snprintf(path, sizeof path, "%s", name_or_path);
	} else {
		char *found;
		if (env != NULL && *env != '\0') {
			snprintf(path, sizeof path, "%s/%s.scn", env,
			         name_or_path);
			f = fopen(path, "r");
		}
		if (f == NULL &&
		    (found = datadir_find("scenarios", name_or_path, ".scn"))) {
			snprintf(path, sizeof path, "%s", found);
			free(found);
			f = fopen(path, "r");
		}
		if (f == NULL) {
			snprintf(path, sizeof path, "scenarios/%s.scn",
			         name_or_path);
			f = fopen(path, "r");
		}
	}
	if (f == NULL) {
		snprintf(err, errsz, "cannot open scenario %s: %s",
		         name_or_path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (scenario_parse(b.data ? b.data : "", b.len, &sc, err, errsz) != 0) {
		char e2[1024];
		snprintf(e2, sizeof e2, "%.500s: %.500s", path, err);
		snprintf(err, errsz, "%s", e2);
	}
	buf_free(&b);
	return sc;
}
