/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Scenario files and the message stream they define. The stream repeats in
 * cycles; a cycle is `length / step` ticks, and each tick carries one
 * reading per signal, then the timed messages that fall in it, then
 * (every `heartbeat` ticks) a heartbeat whose seq is the next position.
 * Message k is found without walking the stream: a prefix-sum array over
 * ticks gives the tick, the rest is arithmetic. Nothing here keeps state
 * between messages, so any position can be regenerated exactly.
 *
 * Reading a scenario file is scenario-parse.c.
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

#include "cityops/core/util.h"
#include "scenario-internal.h"

#define OVERSIZE_PAD (1100 * 1024)

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
		free(sc->sig[i].unit);
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
	if (sc->sensors > 0) /* a sensor stream: nothing else to place */
		return;
	sc->with_readings = sc->o.format == SCENARIO_FORMAT_NATIVE ||
	                    sc->o.format == SCENARIO_FORMAT_NGSI ||
	                    sc->o.format == SCENARIO_FORMAT_MIX ||
	                    sc->o.format == SCENARIO_FORMAT_PUSH;
	free(sc->act);
	sc->act = xcalloc(sc->nev + 1, sizeof *sc->act);
	sc->nact = 0;
	for (size_t i = 0; i < sc->nev; i++) {
		enum ev_format f = sc->ev[i].fmt;
		if ((sc->with_readings &&
		     (sc->o.format != SCENARIO_FORMAT_PUSH || f == EVF_NGSI ||
		      f == EVF_NATIVE)) ||
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
		buf_printf(out, "{\"t\":\"r\",\"i\":\"%s\",\"v\":%.*f,", s->key,
		           s->decimals, v);
		/* The unit the sensor measures in, as a native reading
		 * states it ("u"); the reader converts it. */
		if (s->unit != NULL)
			buf_printf(out, "\"u\":\"%s\",", s->unit);
		buf_printf(out, "\"ts\":%" PRId64 "}", ts);
		return;
	}
	iso_utc(ts, iso, sizeof iso);
	buf_printf(out,
	           "{\"type\":\"Notification\",\"id\":\"urn:ngsi-ld:"
	           "Notification:%s:%" PRIu64 "\",\"notifiedAt\":\"%s\","
	           "\"data\":[{\"id\":\"%s\",\"type\":\"%s\",\"%s\":{\"type\":"
	           "\"Property\",\"value\":%.*f,",
	           sc->name, k, iso, s->eid, s->etype, s->attr, s->decimals, v);
	if (s->unit != NULL)
		buf_printf(out, "\"unitCode\":\"%s\",", s->unit);
	buf_printf(out, "\"observedAt\":\"%s\"}}]}", iso);
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

struct scenario *
scenario_sensors(uint64_t n, unsigned per_msg)
{
	struct scenario *sc;

	if (n == 0 || n > 10000000 || per_msg == 0 || per_msg > 10000)
		return NULL;
	sc = xcalloc(1, sizeof *sc);
	sc->name = xstrdup("sensors");
	sc->title =
	    xasprintf("%" PRIu64 " 个传感器，每条消息 %u 个读数", n, per_msg);
	sc->sensors = n;
	sc->per_msg = per_msg;
	sc->step = 1;
	sc->length = 1;
	sc->ticks = 1;
	sc->first = xcalloc(2, sizeof *sc->first);
	sc->first[1] = (n + per_msg - 1) / per_msg;
	sc->ev_first = xcalloc(2, sizeof *sc->ev_first);
	return sc;
}

/* Message k of a sensor stream: one native batch. */
static void
sensors_message(const struct scenario *sc, uint64_t k, struct buf *out)
{
	uint64_t clen = sc->first[1], pass = k / clen,
	         i0 = (k % clen) * sc->per_msg;
	int64_t ts = sc->o.start_ms + (int64_t)pass * sc->o.tick_ms;

	buf_printf(out, "{\"t\":\"b\",\"ts\":%" PRId64 ",\"r\":[", ts);
	for (uint64_t i = i0; i < i0 + sc->per_msg && i < sc->sensors; i++) {
		uint64_t h = mix(i * 0x10001ULL ^ mix(pass));
		buf_printf(out, "%s[\"s.%07" PRIu64 "\",%.3f]",
		           i > i0 ? "," : "", i, (double)(h % 100001) / 1000.0);
	}
	buf_adds(out, "]}");
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
	if (sc->sensors > 0) {
		sensors_message(sc, k, out);
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
			            sc->o.format == SCENARIO_FORMAT_PUSH ||
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
