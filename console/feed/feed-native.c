/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The native format (docs/feed-format.md): one JSON object per message,
 * short keys, type in "t". Readings ("r") and batches ("b") are the bulk of
 * all traffic, so they have a fast path that scans the bytes directly; it
 * takes only the happy path and hands anything unusual (escapes, odd
 * numbers, unknown value types, bad identifiers) to the cJSON path, which is
 * the reference. Both must give identical events: fuzz-feed-native runs
 * every input both ways and compares.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "feed-internal.h"

struct feed_fast_row {
	const char *key; /* raw bytes in the message, then a scratch copy */
	size_t klen;
	double v;
	int64_t ts; /* -1: take the batch's "ts" */
};

/* A raw string in the message: bytes between the quotes. */
struct span {
	const char *p;
	size_t n;
};

struct scan {
	const char *p, *end;
};

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	                         *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int
take(struct scan *s, char c)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 1;
	}
	return 0;
}

/* A string without escapes or controls; anything else is for cJSON. */
static int
scan_string(struct scan *s, struct span *out)
{
	const char *q;

	skip_ws(s);
	if (s->p >= s->end || *s->p != '"')
		return 0;
	q = ++s->p;
	while (q < s->end && *q != '"') {
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return 0;
		q++;
	}
	if (q >= s->end)
		return 0;
	out->p = s->p;
	out->n = (size_t)(q - s->p);
	s->p = q + 1;
	return 1;
}

static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * A JSON number. Short decimals are converted exactly as strtod would (one
 * correctly rounded operation on exact operands, Clinger's fast path);
 * others go to strtod itself. *is_int is set when it has no fraction or
 * exponent. Tokens over 63 bytes are left to cJSON, which truncates them.
 */
static int
scan_number(struct scan *s, double *out, int *is_int, int64_t *ival)
{
	const char *p, *start;
	uint64_t m = 0;
	int ndig = 0, frac = 0, exp = 0, neg = 0, e10;

	skip_ws(s);
	p = start = s->p;
	if (p < s->end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= s->end || *p < '0' || *p > '9')
		return 0;
	if (*p == '0') {
		p++;
		if (p < s->end && *p >= '0' && *p <= '9')
			return 0; /* leading zeros are not JSON */
	} else {
		while (p < s->end && *p >= '0' && *p <= '9') {
			if (ndig++ < 19)
				m = m * 10 + (uint64_t)(*p - '0');
			p++;
		}
	}
	*is_int = 1;
	if (p < s->end && *p == '.') {
		*is_int = 0;
		p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return 0;
		while (p < s->end && *p >= '0' && *p <= '9') {
			if (ndig++ < 19)
				m = m * 10 + (uint64_t)(*p - '0');
			frac++;
			p++;
		}
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, edig = 0;

		*is_int = 0;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= s->end || *p < '0' || *p > '9')
			return 0;
		while (p < s->end && *p >= '0' && *p <= '9') {
			if (edig++ < 6)
				exp = exp * 10 + (*p - '0');
			p++;
		}
		if (eneg)
			exp = -exp;
	}
	if (p - start > 63)
		return 0;
	s->p = p;
	e10 = exp - frac;
	if (ndig <= 15 && e10 >= -22 && e10 <= 22) {
		double v = (double)m;

		v = e10 >= 0 ? v * pow10_exact[e10] : v / pow10_exact[-e10];
		*out = neg ? -v : v;
	} else if (feed_parse_number(start, (size_t)(p - start), out) != 0) {
		return 0;
	}
	if (*is_int && !neg && ndig <= 15)
		*ival = (int64_t)m;
	else
		*is_int = 0;
	return isfinite(*out);
}

/* A scalar we do not care about; objects and arrays are for cJSON. */
static int
skip_scalar(struct scan *s)
{
	struct span sp;
	double v;
	int64_t iv;
	int is_int;

	skip_ws(s);
	if (s->p >= s->end)
		return 0;
	if (*s->p == '"')
		return scan_string(s, &sp);
	if ((size_t)(s->end - s->p) >= 4 &&
	    (memcmp(s->p, "true", 4) == 0 || memcmp(s->p, "null", 4) == 0)) {
		s->p += 4;
		return 1;
	}
	if ((size_t)(s->end - s->p) >= 5 && memcmp(s->p, "false", 5) == 0) {
		s->p += 5;
		return 1;
	}
	return scan_number(s, &v, &is_int, &iv);
}

static void
add_row(struct feed_decoder *d, struct span key, double v, int64_t ts)
{
	if (d->nrows == d->rows_cap) {
		d->rows_cap = d->rows_cap ? d->rows_cap * 2 : 256;
		d->rows = xrealloc(d->rows, d->rows_cap * sizeof *d->rows);
	}
	d->rows[d->nrows].key = key.p;
	d->rows[d->nrows].klen = key.n;
	d->rows[d->nrows].v = v;
	d->rows[d->nrows].ts = ts;
	d->nrows++;
}

static int
scan_rows(struct feed_decoder *d, struct scan *s)
{
	if (!take(s, '['))
		return 0;
	if (take(s, ']'))
		return 1;
	do {
		struct span key;
		double v, tsd;
		int64_t ts = -1, iv;
		int is_int;

		if (!take(s, '[') || !scan_string(s, &key) || !take(s, ',') ||
		    !scan_number(s, &v, &is_int, &iv))
			return 0;
		if (take(s, ',')) {
			if (!scan_number(s, &tsd, &is_int, &iv) || !is_int ||
			    iv <= 0 || iv > FEED_TS_LIMIT)
				return 0;
			ts = iv;
		}
		if (!take(s, ']'))
			return 0;
		add_row(d, key, v, ts);
	} while (take(s, ','));
	return take(s, ']');
}

enum {
	SEEN_T = 1,
	SEEN_I = 2,
	SEEN_V = 4,
	SEEN_TS = 8,
	SEEN_U = 16,
	SEEN_R = 32,
};

/* What the fast path read of one message. */
struct fast_msg {
	struct span t, key, unit;
	double v;
	int64_t ts; /* -1: none */
	unsigned seen;
};

/* Reads the members of one flat object; 1, or 0 to leave it to cJSON. */
static int
fast_scan(struct feed_decoder *d, struct scan *s, struct fast_msg *m)
{
	double tsd;
	int64_t iv;
	int is_int;

	if (!take(s, '{'))
		return 0;
	do {
		struct span k;
		unsigned bit = 0;

		if (!scan_string(s, &k) || !take(s, ':'))
			return 0;
		if (k.n == 1 && k.p[0] == 't')
			bit = SEEN_T;
		else if (k.n == 1 && k.p[0] == 'i')
			bit = SEEN_I;
		else if (k.n == 1 && k.p[0] == 'v')
			bit = SEEN_V;
		else if (k.n == 2 && k.p[0] == 't' && k.p[1] == 's')
			bit = SEEN_TS;
		else if (k.n == 1 && k.p[0] == 'u')
			bit = SEEN_U;
		else if (k.n == 1 && k.p[0] == 'r')
			bit = SEEN_R;
		else if ((k.n == 1 &&
		          (k.p[0] == 'x' || k.p[0] == 'e' || k.p[0] == 'a')) ||
		         (k.n == 2 && k.p[0] == 'e' && k.p[1] == 't'))
			return 0; /* rare: exercise and entity forms */
		/* The first of duplicate keys counts, as in cJSON. */
		if (bit == 0 || (m->seen & bit)) {
			if (!skip_scalar(s))
				return 0;
			continue;
		}
		m->seen |= bit;
		switch (bit) {
		case SEEN_T:
			if (!scan_string(s, &m->t))
				return 0;
			break;
		case SEEN_I:
			if (!scan_string(s, &m->key))
				return 0;
			break;
		case SEEN_U:
			if (!scan_string(s, &m->unit))
				return 0;
			break;
		case SEEN_V:
			if (!scan_number(s, &m->v, &is_int, &iv))
				return 0;
			break;
		case SEEN_TS:
			if (!scan_number(s, &tsd, &is_int, &iv) || !is_int ||
			    iv <= 0 || iv > FEED_TS_LIMIT)
				return 0;
			m->ts = iv;
			break;
		case SEEN_R:
			if (!scan_rows(d, s))
				return 0;
			break;
		}
	} while (take(s, ','));
	if (!take(s, '}'))
		return 0;
	skip_ws(s);
	return s->p == s->end && (m->seen & SEEN_T) && m->t.n == 1;
}

static int
fast(struct feed_decoder *d, const char *buf, size_t len)
{
	struct scan s = {buf, buf + len};
	struct fast_msg m = {.ts = -1};
	struct feed_event ev;

	d->nrows = 0;
	if (!fast_scan(d, &s, &m))
		return 0;
	memset(&ev, 0, sizeof ev);
	ev.type = FEED_EV_READING;
	ev.format = FEED_FORMAT_NATIVE;
	if (m.t.p[0] == 'r') {
		if ((m.seen & (SEEN_I | SEEN_V)) != (SEEN_I | SEEN_V))
			return 0;
		if (feed_ident(d, m.key.p, m.key.n, &ev.u.reading.key) !=
		    FEED_REJECT_NONE)
			return 0;
		ev.u.reading.value = m.v;
		ev.u.reading.ts_ms = m.ts < 0 ? 0 : m.ts;
		if (m.seen & SEEN_U)
			ev.u.reading.unit =
			    m.unit.n ? feed_text(d, m.unit.p, m.unit.n) : NULL;
		feed_emit(d, &ev);
		return 1;
	}
	if (m.t.p[0] != 'b' || !(m.seen & SEEN_R))
		return 0;
	/* Check every row before emitting any, so a bail-out emits nothing. */
	for (size_t i = 0; i < d->nrows; i++) {
		const char *copy;

		if (feed_ident(d, d->rows[i].key, d->rows[i].klen, &copy) !=
		    FEED_REJECT_NONE)
			return 0;
		d->rows[i].key = copy;
	}
	for (size_t i = 0; i < d->nrows; i++) {
		ev.u.reading.key = d->rows[i].key;
		ev.u.reading.value = d->rows[i].v;
		ev.u.reading.ts_ms = d->rows[i].ts >= 0 ? d->rows[i].ts
		                     : m.ts >= 0        ? m.ts
		                                        : 0;
		feed_emit(d, &ev);
	}
	return 1;
}

int
feed_native_fast(struct feed_decoder *d, const char *buf, size_t len)
{
	struct feed_mark m = feed_mark(d);
	unsigned cleaned = d->res->cleaned;

	if (fast(d, buf, len))
		return 1;
	/* Give back what the attempt took; the cJSON path starts afresh. */
	feed_release(d, m);
	d->res->cleaned = cleaned;
	return 0;
}

/* ---- The cJSON path: every native message type, and the reference. ---- */

/* An epoch-ms member: 0 and sets *ms, 1 when absent or null, else reason. */
static enum feed_reject
native_ts(const cJSON *obj, const char *name, int64_t *ms, int *absent)
{
	const cJSON *v = feed_get(obj, name);

	*absent = 0;
	if (v == NULL || cJSON_IsNull(v)) {
		*absent = 1;
		return FEED_REJECT_NONE;
	}
	if (!cJSON_IsNumber(v))
		return FEED_REJECT_WRONG_TYPE;
	if (!(v->valuedouble > 0 && v->valuedouble <= (double)FEED_TS_LIMIT) ||
	    v->valuedouble != floor(v->valuedouble))
		return FEED_REJECT_BAD_TIME;
	*ms = (int64_t)v->valuedouble;
	return FEED_REJECT_NONE;
}

static enum feed_reject
native_value(const cJSON *v, double *out)
{
	if (v == NULL || cJSON_IsNull(v))
		return FEED_REJECT_MISSING_FIELD;
	if (!cJSON_IsNumber(v))
		return FEED_REJECT_WRONG_TYPE;
	if (!isfinite(v->valuedouble))
		return FEED_REJECT_BAD_VALUE;
	*out = v->valuedouble;
	return FEED_REJECT_NONE;
}

/* An optional free-text member: NULL when absent, null or empty. */
static enum feed_reject
native_text(struct feed_decoder *d, const cJSON *obj, const char *name,
            const char **out)
{
	const cJSON *v = feed_get(obj, name);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return FEED_REJECT_NONE;
	if (!cJSON_IsString(v))
		return FEED_REJECT_WRONG_TYPE;
	if (v->valuestring[0] != '\0')
		*out = feed_text(d, v->valuestring, strlen(v->valuestring));
	return FEED_REJECT_NONE;
}

static enum feed_reject
reading(struct feed_decoder *d, const cJSON *o, struct feed_event *ev)
{
	struct feed_reading *r = &ev->u.reading;
	int absent;

	ev->type = FEED_EV_READING;
	if (feed_get(o, "i") != NULL) {
		FEED_TRY(feed_get_ident(d, o, "i", &r->key));
	} else {
		const cJSON *et = feed_get(o, "et");

		FEED_TRY(feed_get_ident(d, o, "e", &r->entity_id));
		FEED_TRY(feed_get_ident(d, o, "a", &r->attr));
		if (et != NULL && !cJSON_IsNull(et))
			FEED_TRY(feed_get_ident(d, o, "et", &r->entity_type));
	}
	FEED_TRY(native_value(feed_get(o, "v"), &r->value));
	FEED_TRY(native_ts(o, "ts", &r->ts_ms, &absent));
	FEED_TRY(native_text(d, o, "u", &r->unit));
	return FEED_REJECT_NONE;
}

static enum feed_reject
batch_row(struct feed_decoder *d, const cJSON *row, int64_t dflt,
          struct feed_event *ev)
{
	const cJSON *k, *v, *ts;
	int n = cJSON_GetArraySize(row);

	if (!cJSON_IsArray(row) || n < 2 || n > 3)
		return FEED_REJECT_WRONG_TYPE;
	k = row->child;
	v = k->next;
	ts = v->next;
	if (!cJSON_IsString(k))
		return FEED_REJECT_WRONG_TYPE;
	FEED_TRY(feed_ident(d, k->valuestring, strlen(k->valuestring),
	                    &ev->u.reading.key));
	FEED_TRY(native_value(v, &ev->u.reading.value));
	ev->u.reading.ts_ms = dflt;
	if (ts != NULL) {
		if (!cJSON_IsNumber(ts))
			return FEED_REJECT_WRONG_TYPE;
		if (!(ts->valuedouble > 0 &&
		      ts->valuedouble <= (double)FEED_TS_LIMIT) ||
		    ts->valuedouble != floor(ts->valuedouble))
			return FEED_REJECT_BAD_TIME;
		ev->u.reading.ts_ms = (int64_t)ts->valuedouble;
	}
	return FEED_REJECT_NONE;
}

static enum feed_reject
batch(struct feed_decoder *d, const cJSON *o, struct feed_event *proto)
{
	const cJSON *rows = feed_get(o, "r"), *row;
	int64_t dflt = 0;
	int absent;

	if (rows == NULL)
		return FEED_REJECT_MISSING_FIELD;
	if (!cJSON_IsArray(rows))
		return FEED_REJECT_WRONG_TYPE;
	FEED_TRY(native_ts(o, "ts", &dflt, &absent));
	cJSON_ArrayForEach(row, rows)
	{
		struct feed_event ev = *proto;
		struct feed_mark m = feed_mark(d);
		enum feed_reject why;

		ev.type = FEED_EV_READING;
		why = batch_row(d, row, dflt, &ev);
		if (why == FEED_REJECT_NONE)
			feed_emit(d, &ev);
		else
			feed_skip(d, why);
		feed_release(d, m);
	}
	return FEED_REJECT_NONE;
}

static enum feed_reject
level(const cJSON *o, enum feed_level *out)
{
	static const char *const names[] = {
#define X(id, name) name,
	    FEED_LEVEL_LIST(X)
#undef X
	};
	const char *s = feed_get_str(o, "lv");

	if (s == NULL)
		return feed_get(o, "lv") == NULL ? FEED_REJECT_MISSING_FIELD
		                                 : FEED_REJECT_WRONG_TYPE;
	for (int i = 0; i < FEED_LEVEL_COUNT; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum feed_level)i;
			return FEED_REJECT_NONE;
		}
	return FEED_REJECT_BAD_VALUE;
}

static enum feed_reject
alarm(struct feed_decoder *d, const cJSON *o, struct feed_event *ev)
{
	struct feed_alarm *a = &ev->u.alarm;
	const char *st = feed_get_str(o, "st");
	const cJSON *v = feed_get(o, "v");
	int absent;

	ev->type = FEED_EV_ALARM;
	FEED_TRY(feed_get_ident(d, o, "i", &a->key));
	FEED_TRY(level(o, &a->level));
	if (st == NULL || strcmp(st, "raised") == 0)
		a->cleared = 0;
	else if (strcmp(st, "cleared") == 0)
		a->cleared = 1;
	else
		return FEED_REJECT_BAD_VALUE;
	a->value = NAN;
	if (v != NULL && !cJSON_IsNull(v))
		FEED_TRY(native_value(v, &a->value));
	FEED_TRY(native_text(d, o, "msg", &a->message));
	FEED_TRY(native_ts(o, "ts", &a->ts_ms, &absent));
	return FEED_REJECT_NONE;
}

/* An optional coordinate; NAN when absent. */
static enum feed_reject
coord(const cJSON *o, const char *name, double limit, double *out)
{
	const cJSON *v = feed_get(o, name);

	*out = NAN;
	if (v == NULL || cJSON_IsNull(v))
		return FEED_REJECT_NONE;
	if (!cJSON_IsNumber(v))
		return FEED_REJECT_WRONG_TYPE;
	if (!(fabs(v->valuedouble) <= limit))
		return FEED_REJECT_BAD_VALUE;
	*out = v->valuedouble;
	return FEED_REJECT_NONE;
}

static enum feed_reject
incident(struct feed_decoder *d, const cJSON *o, struct feed_event *ev)
{
	struct feed_incident *in = &ev->u.incident;
	const cJSON *pri = feed_get(o, "pri");
	const cJSON *reg = feed_get(o, "reg");
	int absent;

	ev->type = FEED_EV_INCIDENT;
	FEED_TRY(feed_get_ident(d, o, "src", &in->source));
	FEED_TRY(feed_get_ident(d, o, "dk", &in->dedup_key));
	FEED_TRY(native_text(d, o, "title", &in->title));
	if (in->title == NULL)
		return FEED_REJECT_MISSING_FIELD;
	FEED_TRY(native_text(d, o, "cat", &in->category));
	FEED_TRY(native_text(d, o, "desc", &in->description));
	FEED_TRY(native_text(d, o, "loc", &in->location));
	if (reg != NULL && !cJSON_IsNull(reg))
		FEED_TRY(feed_get_ident(d, o, "reg", &in->region));
	if (pri != NULL && !cJSON_IsNull(pri)) {
		if (!cJSON_IsNumber(pri))
			return FEED_REJECT_WRONG_TYPE;
		if (pri->valuedouble != 1 && pri->valuedouble != 2 &&
		    pri->valuedouble != 3 && pri->valuedouble != 4)
			return FEED_REJECT_BAD_VALUE;
		in->priority = (int)pri->valuedouble;
	}
	FEED_TRY(coord(o, "lat", 90, &in->lat));
	FEED_TRY(coord(o, "lon", 180, &in->lon));
	FEED_TRY(native_ts(o, "ts", &in->ts_ms, &absent));
	return FEED_REJECT_NONE;
}

static enum feed_reject
heartbeat(struct feed_decoder *d, const cJSON *o, struct feed_event *ev)
{
	const cJSON *seq = feed_get(o, "seq");
	int absent;

	ev->type = FEED_EV_HEARTBEAT;
	FEED_TRY(feed_get_ident(d, o, "f", &ev->u.heartbeat.feed));
	if (seq != NULL && !cJSON_IsNull(seq)) {
		if (!cJSON_IsNumber(seq))
			return FEED_REJECT_WRONG_TYPE;
		/* 2^53: past it a double no longer counts by one. */
		if (!(seq->valuedouble >= 0 &&
		      seq->valuedouble <= 9007199254740992.0) ||
		    seq->valuedouble != floor(seq->valuedouble))
			return FEED_REJECT_BAD_VALUE;
		ev->u.heartbeat.seq = (uint64_t)seq->valuedouble;
	}
	FEED_TRY(native_ts(o, "ts", &ev->u.heartbeat.ts_ms, &absent));
	return FEED_REJECT_NONE;
}

enum feed_reject
feed_native_tree(struct feed_decoder *d, const cJSON *root)
{
	const cJSON *t, *x;
	struct feed_event ev;
	enum feed_reject why;

	if (!cJSON_IsObject(root))
		return FEED_REJECT_WRONG_TYPE;
	t = feed_get(root, "t");
	if (t == NULL)
		return FEED_REJECT_MISSING_FIELD;
	if (!cJSON_IsString(t))
		return FEED_REJECT_WRONG_TYPE;
	memset(&ev, 0, sizeof ev);
	ev.format = FEED_FORMAT_NATIVE;
	x = feed_get(root, "x");
	if (cJSON_IsBool(x))
		ev.exercise = cJSON_IsTrue(x);
	else if (cJSON_IsNumber(x) &&
	         (x->valuedouble == 0 || x->valuedouble == 1))
		ev.exercise = x->valuedouble == 1;
	else if (x != NULL && !cJSON_IsNull(x))
		return FEED_REJECT_WRONG_TYPE;

	if (strcmp(t->valuestring, "b") == 0)
		return batch(d, root, &ev);
	if (strcmp(t->valuestring, "r") == 0)
		why = reading(d, root, &ev);
	else if (strcmp(t->valuestring, "a") == 0)
		why = alarm(d, root, &ev);
	else if (strcmp(t->valuestring, "i") == 0)
		why = incident(d, root, &ev);
	else if (strcmp(t->valuestring, "h") == 0)
		why = heartbeat(d, root, &ev);
	else
		why = FEED_REJECT_UNKNOWN_TYPE;
	if (why == FEED_REJECT_NONE)
		feed_emit(d, &ev);
	return why;
}
