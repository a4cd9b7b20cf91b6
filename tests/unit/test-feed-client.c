/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The pure parts of the feed side: URL parsing for the client, the entity
 * mapping, and the scenario stream (parsing, positions, determinism,
 * the broken mode staying within its share).
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-map.h"
#include "cityops/feed/feed.h"
#include "cityops/feed/scenario.h"
#include "cityops/core/util.h"

static void
test_url(void)
{
	char host[64], path[128];
	int port;

	CHECK(feed_url_parse("ws://127.0.0.1:7681/feed?x=1", host, sizeof host,
	                     &port, path, sizeof path) == 0);
	CHECK(strcmp(host, "127.0.0.1") == 0 && port == 7681);
	CHECK(strcmp(path, "/feed?x=1") == 0);
	CHECK(feed_url_parse("ws://example.org", host, sizeof host, &port, path,
	                     sizeof path) == 0);
	CHECK(port == 80 && strcmp(path, "/") == 0);
	CHECK(feed_url_parse("ws://[::1]:9000?from=3", host, sizeof host, &port,
	                     path, sizeof path) == 0);
	CHECK(strcmp(host, "::1") == 0 && port == 9000);
	CHECK(strcmp(path, "/?from=3") == 0);
	CHECK(feed_url_parse("wss://x/", host, sizeof host, &port, path,
	                     sizeof path) == -1);
	CHECK(feed_url_parse("ws://:80/", host, sizeof host, &port, path,
	                     sizeof path) == -1);
	CHECK(feed_url_parse("ws://h:99999/", host, sizeof host, &port, path,
	                     sizeof path) == -1);
	CHECK(feed_url_parse("ws://h:1x/", host, sizeof host, &port, path,
	                     sizeof path) == -1);
}

/* The reconnect delay grows from the minimum to the cap and never passes
 * the cap, whatever the jitter draws; it spreads below the cap. */
static void
test_backoff(void)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	int b = 0, ms, lo = 1 << 30, hi = 0, steps = 0;

	for (int i = 0; i < 100000; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		ms = feed_backoff_next(&b, 250, 15000, rng);
		CHECK(ms >= b / 2 && ms <= b);
		CHECK(ms >= 125 && ms <= 15000);
		if (b < 15000)
			steps++;
		if (i > 10 && ms < lo)
			lo = ms;
		if (ms > hi)
			hi = ms;
	}
	CHECK_INT(steps, 6); /* 250, 500 … 8000, then 15000 */
	CHECK_INT(b, 15000);
	CHECK(hi == 15000 || hi > 14900);
	CHECK(lo < 7600);
	/* The extremes of the draw. */
	b = 15000;
	CHECK_INT(feed_backoff_next(&b, 250, 15000, 0), 15000);
	CHECK_INT(feed_backoff_next(&b, 250, 15000, 7500), 7500);
	CHECK_INT(feed_backoff_next(&b, 250, 15000, UINT64_MAX),
	          15000 - (int)(UINT64_MAX % 7501));
	b = 0;
	CHECK_INT(feed_backoff_next(&b, 250, 15000, 0), 250);
	CHECK_INT(feed_backoff_next(&b, 250, 15000, 0), 500);
	/* Odd settings still keep the cap. */
	b = 0;
	CHECK(feed_backoff_next(&b, 20000, 15000, 12345) <= 15000);
	b = 14999;
	CHECK(feed_backoff_next(&b, 250, 15000, 3) <= 15000);
}

static void
test_map(void)
{
	struct feed_map *m = feed_map_new();
	struct feed_reading r = {0};

	feed_map_add(m, "WeatherObserved", "urn:a", "streamGauge", "fx.tide.a");
	feed_map_add(m,
	             "https://smartdatamodels.org/dataModel.Weather/"
	             "WeatherObserved",
	             "*", "precipitation", "fx.rain");
	feed_map_add(m, "WeatherObserved", "urn:a", "streamGauge", "fx.tide.b");
	CHECK(feed_map_count(m) == 3);
	r.entity_id = "urn:a";
	r.entity_type = "WeatherObserved";
	r.attr = "streamGauge";
	/* The later of two equal rows wins. */
	CHECK(strcmp(feed_map_lookup(m, &r) ?: "", "fx.tide.b") == 0);
	r.attr = "precipitation";
	CHECK(strcmp(feed_map_lookup(m, &r) ?: "", "fx.rain") == 0);
	r.entity_type = "AirQualityObserved";
	CHECK(feed_map_lookup(m, &r) == NULL);
	r.key = "k.x";
	CHECK(strcmp(feed_map_lookup(m, &r), "k.x") == 0);
	feed_map_clear(m);
	r.key = NULL;
	r.entity_type = "WeatherObserved";
	CHECK(feed_map_lookup(m, &r) == NULL);
	feed_map_free(&m);
	CHECK(m == NULL);
}

struct count {
	unsigned readings, heartbeats, other;
	uint64_t hb_seq;
	double v;
};

static void
sink(void *arg, const struct feed_event *ev)
{
	struct count *c = arg;

	if (ev->type == FEED_EV_READING) {
		c->readings++;
		c->v = ev->u.reading.value;
	} else if (ev->type == FEED_EV_HEARTBEAT) {
		c->heartbeats++;
		c->hb_seq = ev->u.heartbeat.seq;
	} else {
		c->other++;
	}
}

static void
test_scenario(void)
{
	static const char text[] =
	    "# comment\n"
	    "name t\n"
	    "step 10\n"
	    "length 40\n"
	    "signal a.one 0=0 30=30 decimals 1\n"
	    "signal a.two ngsi WeatherObserved urn:w streamGauge 0=5\n"
	    "at 15 open311 [{\"service_request_id\":\"{{cycle}}-{{seq}}\"}]\n";
	struct scenario *sc;
	struct scenario_opts o = {0};
	struct feed_decoder *d = feed_decoder_new();
	struct buf b = {0};
	char err[128];
	int broken = 0;

	CHECK(scenario_parse(text, sizeof text - 1, &sc, err, sizeof err) == 0);
	/* 4 ticks x (2 readings + 1 heartbeat) + 1 request. */
	CHECK(scenario_cycle_len(sc) == 13);
	CHECK(scenario_ticks(sc) == 4);
	o.start_ms = 1763700000000LL;
	o.tick_ms = 1000;
	o.format = SCENARIO_FORMAT_NGSI;
	scenario_set_opts(sc, &o);
	for (uint64_t k = 0; k < 26; k++) {
		struct count c = {0};
		buf_reset(&b);
		scenario_message(sc, k, 0, &b);
		CHECK(feed_decode(d, b.data, b.len, FEED_FORMAT_AUTO, sink, &c,
		                  NULL) == FEED_OK);
		switch (k % 13) {
		case 0: /* a.one at tick 0 */
			CHECK(c.readings == 1 && c.v == 0);
			break;
		case 2: /* heartbeat names the next position */
			CHECK(c.heartbeats == 1 && c.hb_seq == k + 1);
			break;
		case 5: /* tick 1: after its readings, the request */
			CHECK(c.other == 1);
			break;
		case 6:
			CHECK(c.heartbeats == 1 && c.hb_seq == k + 1);
			break;
		case 10: /* a.one at tick 3: 30 */
			CHECK(c.readings == 1 && c.v == 30);
			break;
		}
	}
	/* The same position, the same bytes. */
	{
		struct buf x = {0}, y = {0};
		scenario_message(sc, 1000003, 0, &x);
		scenario_message(sc, 1000003, 0, &y);
		CHECK(x.len == y.len && memcmp(x.data, y.data, x.len) == 0);
		buf_free(&x);
		buf_free(&y);
	}
	/* Broken mode: roughly its share, and every one rejected or odd. */
	o.format = SCENARIO_FORMAT_NATIVE;
	o.broken_pct = 50;
	scenario_set_opts(sc, &o);
	for (uint64_t k = 0; k < 1300; k++) {
		struct count c = {0};
		struct feed_result res;
		buf_reset(&b);
		scenario_message(sc, k, 0, &b);
		if (feed_decode(d, b.data, b.len, FEED_FORMAT_AUTO, sink, &c,
		                &res) == FEED_REJECTED)
			broken++;
	}
	CHECK(broken > 200 && broken < 700);
	buf_free(&b);
	scenario_free(&sc);
	CHECK(sc == NULL);

	CHECK(scenario_parse("signal x\n", 9, &sc, err, sizeof err) == -1);
	CHECK(strstr(err, "line 1") != NULL);
	CHECK(scenario_parse("step 1\nlength 10\nat 10 cap {}\n", 29, &sc, err,
	                     sizeof err) == -1);
	CHECK(scenario_format_from_name("mix") == SCENARIO_FORMAT_MIX);
	CHECK(scenario_format_from_name("xml") == -1);
	feed_decoder_free(&d);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    {"url", test_url}, {"backoff", test_backoff},
	    {"map", test_map}, {"scenario", test_scenario},
	    {NULL, NULL},
	};
	return check_main(cases, argc, argv);
}
