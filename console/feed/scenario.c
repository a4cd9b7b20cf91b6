/*
 * Scenario files and the message stream they define. The stream repeats in
 * cycles; a cycle is `length / step` ticks, and each tick carries one
 * reading per signal, then the timed messages that fall in it, then
 * (every `heartbeat` ticks) a heartbeat whose seq is the next position.
 * Message k is found without walking the stream: a prefix-sum array over
 * ticks gives the tick, the rest is arithmetic. Nothing here keeps state
 * between messages, so any position can be regenerated exactly.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cityops/feed/scenario.h"
#include "cityops/core/util.h"

#define MAX_SIGNALS  4096
#define MAX_EVENTS   4096
#define MAX_POINTS   1024
#define MAX_CYCLE    2000000 /* messages in one cycle */
#define MAX_TOKEN    512
#define OVERSIZE_PAD (1100 * 1024)
#define DEFAULT_STEP 60
#define DEFAULT_LEN  3600

struct point {
	double t, v;
};

struct signal {
	char *key;
	char *etype, *eid, *attr; /* NULL when not mapped to an entity */
	struct point *pts;
	size_t npts;
	double noise;
	int decimals;
	int nonneg; /* every point >= 0 */
};

enum ev_format { EVF_NATIVE, EVF_NGSI, EVF_CAP, EVF_OPEN311 };

struct event {
	double t;
	enum ev_format fmt;
	char *text; /* template with {{…}} placeholders */
	uint64_t tick;
};

struct scenario {
	char *name, *title;
	double step, length;
	uint64_t heartbeat; /* ticks between heartbeats; 0: none */
	struct signal *sig;
	size_t nsig;
	struct event *ev; /* sorted by time */
	size_t nev;

	/* Derived from the options. */
	struct scenario_opts o;
	uint64_t ticks;
	int with_readings;
	struct event **act; /* events in the stream, by time */
	size_t nact;
	uint64_t *first;  /* first[i]: position of tick i in the cycle */
	size_t *ev_first; /* ev_first[i]: first act index of tick i */
};

static const char *const format_names[] = {
#define X(id, name, help) name,
    SCENARIO_FORMAT_LIST(X)
#undef X
};

const char *
scenario_format_name(enum scenario_format f)
{
	return (unsigned)f < SCENARIO_FORMAT_COUNT ? format_names[f] : "?";
}

int
scenario_format_from_name(const char *s)
{
	for (int i = 0; i < SCENARIO_FORMAT_COUNT; i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}

void
scenario_free(struct scenario **sp)
{
	struct scenario *sc = *sp;

	if (sc == NULL)
		return;
	for (size_t i = 0; i < sc->nsig; i++) {
		free(sc->sig[i].key);
		free(sc->sig[i].etype);
		free(sc->sig[i].eid);
		free(sc->sig[i].attr);
		free(sc->sig[i].pts);
	}
	for (size_t i = 0; i < sc->nev; i++)
		free(sc->ev[i].text);
	free(sc->sig);
	free(sc->ev);
	free(sc->act);
	free(sc->first);
	free(sc->ev_first);
	free(sc->name);
	free(sc->title);
	free(sc);
	*sp = NULL;
}

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

int
scenario_parse(const char *text, size_t len, struct scenario **out, char *err,
               size_t errsz)
{
	struct scenario *sc = xcalloc(1, sizeof *sc);
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	char tok[MAX_TOKEN];
	double v;

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
		if (strcmp(tok, "name") == 0) {
			if (next_token(&l, tok, sizeof tok) != 1 ||
			    !plain_ident(tok))
				FAIL("name needs one word");
			free(sc->name);
			sc->name = xstrdup(tok);
		} else if (strcmp(tok, "title") == 0) {
			free(sc->title);
			sc->title = rest(&l);
		} else if (strcmp(tok, "step") == 0 ||
		           strcmp(tok, "length") == 0 ||
		           strcmp(tok, "heartbeat") == 0) {
			const char *word = tok[0] == 's'   ? "step"
			                   : tok[0] == 'l' ? "length"
			                                   : "heartbeat";
			if (next_token(&l, tok, sizeof tok) != 1 ||
			    parse_num(tok, &v) != 0)
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
		} else if (strcmp(tok, "signal") == 0) {
			if (parse_signal(sc, &l, err, errsz, lineno) != 0)
				goto fail_quiet;
		} else if (strcmp(tok, "at") == 0) {
			if (parse_at(sc, &l, err, errsz, lineno) != 0)
				goto fail_quiet;
		} else {
			FAIL("unknown directive '%s'", tok);
		}
	}
	if (sc->nsig == 0 && sc->nev == 0) {
		snprintf(err, errsz, "no signal and no timed message");
		goto fail_quiet;
	}
	if (sc->length < sc->step) {
		snprintf(err, errsz, "length is shorter than one step");
		goto fail_quiet;
	}
	sc->ticks = (uint64_t)floor(sc->length / sc->step);
	if ((double)sc->ticks * (double)(sc->nsig + 1) + (double)sc->nev >
	    MAX_CYCLE) {
		snprintf(err, errsz,
		         "one cycle would hold over %d messages; use a longer "
		         "step",
		         MAX_CYCLE);
		goto fail_quiet;
	}
	for (size_t i = 0; i < sc->nev; i++)
		if (sc->ev[i].t >= (double)sc->ticks * sc->step) {
			snprintf(err, errsz,
			         "a timed message at %g s is past the length",
			         sc->ev[i].t);
			goto fail_quiet;
		}
	if (sc->nev > 1)
		qsort(sc->ev, sc->nev, sizeof *sc->ev, event_cmp);
	for (size_t i = 0; i < sc->nev; i++)
		sc->ev[i].tick = (uint64_t)floor(sc->ev[i].t / sc->step);
	if (sc->name == NULL)
		sc->name = xstrdup("scenario");
	if (sc->title == NULL)
		sc->title = xstrdup(sc->name);
	{
		struct scenario_opts o = {0};
		scenario_set_opts(sc, &o);
	}
	*out = sc;
	return 0;
fail:
fail_quiet:
	scenario_free(&sc);
	return -1;
}

struct scenario *
scenario_load(const char *name_or_path, char *err, size_t errsz)
{
	char path[8192], exe[4096];
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
		ssize_t m;
		if (env != NULL && *env != '\0') {
			snprintf(path, sizeof path, "%s/%s.scn", env,
			         name_or_path);
			f = fopen(path, "r");
		}
		if (f == NULL &&
		    (m = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
			char *slash;
			exe[m] = '\0';
			if ((slash = strrchr(exe, '/')) != NULL)
				*slash = '\0';
			snprintf(path, sizeof path, "%s/../scenarios/%s.scn",
			         exe, name_or_path);
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

void
scenario_set_opts(struct scenario *sc, const struct scenario_opts *o)
{
	uint64_t pos = 0;
	size_t e = 0;

	sc->o = *o;
	if (sc->o.tick_ms < 1)
		sc->o.tick_ms = 1000;
	if (sc->o.start_ms <= 0)
		sc->o.start_ms = 1763700000000LL;
	if (!(sc->o.broken_pct >= 0))
		sc->o.broken_pct = 0;
	if (sc->o.broken_pct > 100)
		sc->o.broken_pct = 100;
	sc->with_readings = sc->o.format == SCENARIO_FORMAT_NATIVE ||
	                    sc->o.format == SCENARIO_FORMAT_NGSI ||
	                    sc->o.format == SCENARIO_FORMAT_MIX;
	free(sc->act);
	sc->act = xcalloc(sc->nev + 1, sizeof *sc->act);
	sc->nact = 0;
	for (size_t i = 0; i < sc->nev; i++) {
		enum ev_format f = sc->ev[i].fmt;
		if (sc->with_readings ||
		    (sc->o.format == SCENARIO_FORMAT_CAP && f == EVF_CAP) ||
		    (sc->o.format == SCENARIO_FORMAT_OPEN311 &&
		     f == EVF_OPEN311))
			sc->act[sc->nact++] = &sc->ev[i];
	}
	free(sc->first);
	free(sc->ev_first);
	sc->first = xcalloc(sc->ticks + 1, sizeof *sc->first);
	sc->ev_first = xcalloc(sc->ticks + 1, sizeof *sc->ev_first);
	for (uint64_t i = 0; i < sc->ticks; i++) {
		sc->first[i] = pos;
		sc->ev_first[i] = e;
		if (sc->with_readings)
			pos += sc->nsig;
		while (e < sc->nact && sc->act[e]->tick == i) {
			e++;
			pos++;
		}
		if (sc->heartbeat > 0 && i % sc->heartbeat == 0)
			pos++;
	}
	sc->first[sc->ticks] = pos;
	sc->ev_first[sc->ticks] = e;
}

const char *
scenario_name(const struct scenario *sc)
{
	return sc->name;
}

const char *
scenario_title(const struct scenario *sc)
{
	return sc->title;
}

uint64_t
scenario_cycle_len(const struct scenario *sc)
{
	return sc->first[sc->ticks];
}

uint64_t
scenario_ticks(const struct scenario *sc)
{
	return sc->ticks;
}

double
scenario_msgs_per_tick(const struct scenario *sc)
{
	return (double)scenario_cycle_len(sc) / (double)sc->ticks;
}

/* A 64-bit mix (splitmix64 finaliser): noise and choices from positions. */
static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static double
unit_rand(uint64_t h)
{
	return (double)(h >> 11) / 9007199254740992.0;
}

static double
signal_value(const struct signal *s, double t, uint64_t seed)
{
	double v;
	size_t i;

	if (t <= s->pts[0].t) {
		v = s->pts[0].v;
	} else if (t >= s->pts[s->npts - 1].t) {
		v = s->pts[s->npts - 1].v;
	} else {
		for (i = 1; i < s->npts && s->pts[i].t < t; i++)
			;
		{
			const struct point *a = &s->pts[i - 1], *b = &s->pts[i];
			double span = b->t - a->t;
			v = span > 0 ? a->v + (b->v - a->v) * (t - a->t) / span
			             : b->v;
		}
	}
	if (s->noise > 0) {
		/* Sum of three uniforms: a cheap bell, in [-1.5, 1.5]. */
		double u = unit_rand(mix(seed)) + unit_rand(mix(seed ^ 1)) +
		           unit_rand(mix(seed ^ 2)) - 1.5;
		v += u * s->noise;
		/* Noise does not take a quantity below zero if the curve
		 * never goes there (depths, counts, rain). */
		if (v < 0 && s->nonneg)
			v = 0;
	}
	{
		double scale = pow(10, s->decimals);
		v = round(v * scale) / scale;
		if (v == 0)
			v = 0; /* no "-0" */
	}
	return v;
}

static void
iso_utc(int64_t ms, char *out, size_t outsz)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static void
write_reading(const struct scenario *sc, const struct signal *s, double v,
              int64_t ts, int ngsi, uint64_t k, struct buf *out)
{
	char iso[64];

	if (!ngsi) {
		buf_printf(
		    out,
		    "{\"t\":\"r\",\"i\":\"%s\",\"v\":%.*f,\"ts\":%" PRId64 "}",
		    s->key, s->decimals, v, ts);
		return;
	}
	iso_utc(ts, iso, sizeof iso);
	buf_printf(out,
	           "{\"type\":\"Notification\",\"id\":\"urn:ngsi-ld:"
	           "Notification:%s:%" PRIu64 "\",\"notifiedAt\":\"%s\","
	           "\"data\":[{\"id\":\"%s\",\"type\":\"%s\",\"%s\":{\"type\":"
	           "\"Property\",\"value\":%.*f,\"observedAt\":\"%s\"}}]}",
	           sc->name, k, iso, s->eid, s->etype, s->attr, s->decimals, v,
	           iso);
}

/* Replaces a reading by one of the kinds of bad input a feed may carry. */
static void
write_broken(const struct signal *s, int64_t ts, uint64_t h, struct buf *out)
{
	switch ((h >> 8) % 9) {
	case 0: /* cut off mid-message */
		buf_printf(out, "{\"t\":\"r\",\"i\":\"%s\",\"v\":1", s->key);
		break;
	case 1: /* wrong type */
		buf_printf(
		    out,
		    "{\"t\":\"r\",\"i\":\"%s\",\"v\":\"high\",\"ts\":%" PRId64
		    "}",
		    s->key, ts);
		break;
	case 2: /* invalid UTF-8 in an identifier */
		buf_printf(
		    out,
		    "{\"t\":\"r\",\"i\":\"%s.\xff\xfe\",\"v\":1,\"ts\":%" PRId64
		    "}",
		    s->key, ts);
		break;
	case 3: /* an escape sequence in an identifier */
		buf_printf(out,
		           "{\"t\":\"r\",\"i\":\"%s\\u001b[2J\",\"v\":1,"
		           "\"ts\":%" PRId64 "}",
		           s->key, ts);
		break;
	case 4: /* escape sequences and a bidi override in free text */
		buf_printf(out,
		           "{\"t\":\"a\",\"i\":\"%s\",\"lv\":\"info\",\"msg\":"
		           "\"\\u202e\xe6\xb5\x8b\xe8\xaf\x95\\u001b[31m\\u0007"
		           "\xc2\x9b"
		           "2J\",\"ts\":%" PRId64 "}",
		           s->key, ts);
		break;
	case 5: /* an indicator nobody knows */
		buf_printf(out,
		           "{\"t\":\"r\",\"i\":\"zz.unknown.sensor\",\"v\":1,"
		           "\"ts\":%" PRId64 "}",
		           ts);
		break;
	case 6: /* not JSON at all */
		buf_add(out, "\x01\x02garbage\xc3(\x80", 12);
		break;
	case 7: /* a number that is not finite */
		buf_printf(
		    out,
		    "{\"t\":\"r\",\"i\":\"%s\",\"v\":1e999,\"ts\":%" PRId64 "}",
		    s->key, ts);
		break;
	default:
		/* Over the 1 MiB cap, but only now and then: it is heavy. */
		if ((h >> 20) % 8 == 0) {
			size_t start;
			buf_printf(out, "{\"t\":\"r\",\"i\":\"%s\",\"pad\":\"",
			           s->key);
			start = out->len;
			for (size_t i = 0; i < OVERSIZE_PAD / 64; i++)
				buf_add(out,
				        "0123456789abcdef0123456789abcdef"
				        "0123456789abcdef0123456789abcdef",
				        64);
			(void)start;
			buf_printf(out, "\",\"v\":1,\"ts\":%" PRId64 "}", ts);
		} else {
			buf_printf(out,
			           "{\"t\":\"r\",\"i\":\"%s\",\"v\":\"NaN\","
			           "\"ts\":%" PRId64 "}",
			           s->key, ts);
		}
		break;
	}
}

static void
write_event(const struct event *e, int64_t ts, uint64_t cycle, uint64_t k,
            struct buf *out)
{
	const char *p = e->text, *q;
	char iso[64];

	while ((q = strstr(p, "{{")) != NULL) {
		const char *close = strstr(q + 2, "}}");
		size_t n;
		buf_add(out, p, (size_t)(q - p));
		if (close == NULL) {
			p = q;
			break;
		}
		n = (size_t)(close - (q + 2));
		if (n == 2 && memcmp(q + 2, "ts", 2) == 0) {
			buf_printf(out, "%" PRId64, ts);
		} else if (n == 3 && memcmp(q + 2, "iso", 3) == 0) {
			iso_utc(ts, iso, sizeof iso);
			buf_adds(out, iso);
		} else if (n == 5 && memcmp(q + 2, "cycle", 5) == 0) {
			buf_printf(out, "%" PRIu64, cycle);
		} else if (n == 3 && memcmp(q + 2, "seq", 3) == 0) {
			buf_printf(out, "%" PRIu64, k);
		} else {
			buf_add(out, q, (size_t)(close + 2 - q));
		}
		p = close + 2;
	}
	buf_adds(out, p);
}

void
scenario_message(const struct scenario *sc, uint64_t k, int64_t wall_ms,
                 struct buf *out)
{
	uint64_t clen = scenario_cycle_len(sc), cycle, j, lo, hi, tick,
	         abs_tick;
	int64_t ts;

	if (clen == 0) {
		/* Nothing in the stream (a filter left nothing): a
		 * heartbeat keeps the link honest. */
		buf_printf(out,
		           "{\"t\":\"h\",\"f\":\"%s\",\"seq\":%" PRIu64
		           ",\"ts\":%" PRId64 "}",
		           sc->name, k + 1, wall_ms ? wall_ms : sc->o.start_ms);
		return;
	}
	cycle = k / clen;
	j = k % clen;
	lo = 0;
	hi = sc->ticks;
	while (hi - lo > 1) { /* last tick whose first position <= j */
		uint64_t mid = lo + (hi - lo) / 2;
		if (sc->first[mid] <= j)
			lo = mid;
		else
			hi = mid;
	}
	tick = lo;
	j -= sc->first[tick];
	abs_tick = cycle * sc->ticks + tick;
	ts = sc->o.start_ms + (int64_t)abs_tick * sc->o.tick_ms;
	if (sc->with_readings) {
		if (j < sc->nsig) {
			const struct signal *s = &sc->sig[j];
			uint64_t h = mix(k ^ 0x5eedULL);
			double v = signal_value(s, (double)tick * sc->step,
			                        mix(abs_tick * 131 + j));
			int ngsi = s->etype != NULL &&
			           (sc->o.format == SCENARIO_FORMAT_NGSI ||
			            (sc->o.format == SCENARIO_FORMAT_MIX &&
			             (mix(k) & 1)));
			if (sc->o.broken_pct > 0 &&
			    unit_rand(h) * 100.0 < sc->o.broken_pct)
				write_broken(s, ts, h, out);
			else
				write_reading(sc, s, v, ts, ngsi, k, out);
			return;
		}
		j -= sc->nsig;
	}
	if (j < sc->ev_first[tick + 1] - sc->ev_first[tick]) {
		write_event(sc->act[sc->ev_first[tick] + j], ts, cycle, k, out);
		return;
	}
	buf_printf(out,
	           "{\"t\":\"h\",\"f\":\"%s\",\"seq\":%" PRIu64
	           ",\"ts\":%" PRId64 "}",
	           sc->name, k + 1, wall_ms ? wall_ms : ts);
}
