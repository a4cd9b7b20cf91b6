/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Decode + apply throughput against raw cJSON on the same bytes, in the
 * same run (DESIGN.md: >= 1,000,000 small readings/s on one core, and
 * >= 70 % of cJSON_Parse speed). Messages are generated in memory, so the
 * figure is the decoder's and the model's, not the network's.
 *
 *   bench-decode [messages] [indicators]     (defaults 1000000 5000)
 *
 * Cases: single native readings (fast path, and the cJSON path forced),
 * native batches of 100, NGSI-LD notifications of 100 entities x 5
 * attributes through the mapping table. Each case runs three times; the
 * best run counts. The raw baseline is cJSON_ParseWithLength then
 * cJSON_Delete, which is the least any cJSON-based decoder must do.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cityops/feed/feed.h"
#include "cityops/desk/model-vitals.h"
#include "cityops/core/util.h"

#define T0 1763700000000LL

struct corpus {
	char *bytes;
	size_t *off, *len;
	size_t n, readings_per_msg;
};

struct ctx {
	struct model_vitals *model; /* NULL: decode only */
	int64_t now;
	uint64_t applied, unknown;
};

/* Each run is a day later, so no reading is "old" to the model. */
static int64_t shift;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
apply(void *arg, const struct feed_event *ev)
{
	struct ctx *c = arg;
	struct feed_reading r;

	if (ev->type != FEED_EV_READING)
		return;
	if (c->model == NULL) {
		c->applied++;
		return;
	}
	r = ev->u.reading;
	r.ts_ms += shift;
	if (model_vitals_apply(c->model, &r, c->now, NULL) == MODEL_APPLY_OK)
		c->applied++;
	else
		c->unknown++;
}

static void
corpus_add(struct corpus *c, struct buf *b, size_t start)
{
	c->off = xrealloc(c->off, (c->n + 1) * sizeof *c->off);
	c->len = xrealloc(c->len, (c->n + 1) * sizeof *c->len);
	c->off[c->n] = start;
	c->len[c->n] = b->len - start;
	c->n++;
}

static void
corpus_done(struct corpus *c, struct buf *b)
{
	c->bytes = b->data;
}

static struct corpus
native_singles(size_t n, size_t nind)
{
	struct corpus c = {0};
	struct buf b = {0};

	c.readings_per_msg = 1;
	for (size_t i = 0; i < n; i++) {
		size_t start = b.len;

		buf_printf(&b,
		           "{\"t\":\"r\",\"i\":\"ind.%05zu.level\",\"v\":%.2f,"
		           "\"ts\":%lld}",
		           i % nind, (double)(i % 997) / 10.0,
		           (long long)(T0 + (long long)i));
		corpus_add(&c, &b, start);
	}
	corpus_done(&c, &b);
	return c;
}

static struct corpus
native_batches(size_t n, size_t nind)
{
	struct corpus c = {0};
	struct buf b = {0};
	size_t k = 0;

	c.readings_per_msg = 100;
	for (size_t i = 0; i < n / 100; i++) {
		size_t start = b.len;

		buf_printf(&b, "{\"t\":\"b\",\"ts\":%lld,\"r\":[",
		           (long long)(T0 + (long long)i));
		for (int r = 0; r < 100; r++, k++)
			buf_printf(&b, "%s[\"ind.%05zu.level\",%.2f]",
			           r ? "," : "", k % nind,
			           (double)(k % 997) / 10.0);
		buf_adds(&b, "]}");
		corpus_add(&c, &b, start);
	}
	corpus_done(&c, &b);
	return c;
}

static const char *const attrs[] = {"NO2", "pm25", "pm10", "O3", "CO"};

static struct corpus
ngsi_batches(size_t n, size_t nent)
{
	struct corpus c = {0};
	struct buf b = {0};
	size_t k = 0;

	c.readings_per_msg = 500;
	for (size_t i = 0; i < n / 500; i++) {
		size_t start = b.len;

		buf_adds(&b, "{\"id\":\"urn:ngsi-ld:Notification:1\","
		             "\"type\":\"Notification\",\"subscriptionId\":"
		             "\"urn:ngsi-ld:Subscription:v\",\"data\":[");
		for (int e = 0; e < 100; e++, k++) {
			buf_printf(
			    &b,
			    "%s{\"id\":\"urn:ngsi-ld:AirQualityObserved:"
			    "s%04zu\",\"type\":\"AirQualityObserved\","
			    "\"dateObserved\":{\"type\":\"Property\","
			    "\"value\":\"2025-11-21T%02zu:%02zu:%02zuZ\"}",
			    e ? "," : "", k % nent, i / 3600 % 24, i / 60 % 60,
			    i % 60);
			for (int a = 0; a < 5; a++)
				buf_printf(
				    &b,
				    ",\"%s\":{\"type\":\"Property\","
				    "\"value\":%.1f,\"unitCode\":\"GQ\"}",
				    attrs[a], (double)((k + a) % 300));
			buf_adds(&b, "}");
		}
		buf_adds(&b, "]}");
		corpus_add(&c, &b, start);
	}
	corpus_done(&c, &b);
	return c;
}

static double
run_decode(const struct corpus *c, struct feed_decoder *d, struct ctx *x)
{
	double t = now_s();

	for (size_t i = 0; i < c->n; i++) {
		if ((i & 1023) == 0)
			x->now = T0 + (int64_t)i;
		feed_decode(d, c->bytes + c->off[i], c->len[i],
		            FEED_FORMAT_AUTO, apply, x, NULL);
	}
	return now_s() - t;
}

static double
run_cjson(const struct corpus *c)
{
	double t = now_s();

	for (size_t i = 0; i < c->n; i++) {
		cJSON *root =
		    cJSON_ParseWithLength(c->bytes + c->off[i], c->len[i]);

		if (root == NULL)
			abort();
		cJSON_Delete(root);
	}
	return now_s() - t;
}

static void
bench(const char *name, const struct corpus *c, struct model_vitals *m,
      int slow)
{
	struct feed_decoder *d = feed_decoder_new();
	struct ctx x = {m, T0, 0, 0};
	double best_dec = 1e9, best_raw = 1e9, readings, bytes = 0;

	feed_decoder_set_slow(d, slow);
	for (size_t i = 0; i < c->n; i++)
		bytes += (double)c->len[i];
	for (int r = 0; r < 3; r++) {
		double a, b;

		shift += 86400000;
		a = run_decode(c, d, &x);
		b = run_cjson(c);

		best_dec = a < best_dec ? a : best_dec;
		best_raw = b < best_raw ? b : best_raw;
	}
	readings = (double)c->n * (double)c->readings_per_msg;
	printf("%-28s %8zu msgs %6.1f MB | decode+apply %10.0f readings/s "
	       "%8.0f msgs/s | cJSON parse+delete %10.0f readings/s | "
	       "ratio %5.1f %%\n",
	       name, c->n, bytes / 1e6, readings / best_dec, c->n / best_dec,
	       readings / best_raw, 100.0 * best_raw / best_dec);
	if (x.applied != (uint64_t)(readings * 3) || x.unknown != 0) {
		fprintf(stderr, "%s: applied %llu of %.0f, unknown %llu\n",
		        name, (unsigned long long)x.applied, readings * 3,
		        (unsigned long long)x.unknown);
		exit(1);
	}
	feed_decoder_free(&d);
}

static void
corpus_free(struct corpus *c)
{
	free(c->bytes);
	free(c->off);
	free(c->len);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	size_t nind = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000;
	struct model_vitals *m = model_vitals_new(600);
	struct model_indicator_def def = {.category = "bench",
	                                  .name = "bench",
	                                  .unit = "",
	                                  .warn_high = 80,
	                                  .alarm_high = 90,
	                                  .warn_low = -1e300,
	                                  .alarm_low = -1e300,
	                                  .hysteresis = 1,
	                                  .stale_ms = 60000};
	char key[64];
	struct corpus c;

	for (size_t i = 0; i < nind; i++) {
		snprintf(key, sizeof key, "ind.%05zu.level", i);
		def.key = key;
		model_vitals_define(m, &def);
	}
	for (size_t k = 0; k < 1000; k++)
		for (int a = 0; a < 5; a++) {
			char ent[64];

			snprintf(ent, sizeof ent,
			         "urn:ngsi-ld:AirQualityObserved:s%04zu", k);
			snprintf(key, sizeof key, "ind.%05zu.level",
			         (k * 5 + (size_t)a) % nind);
			model_vitals_map(m, ent, attrs[a], key);
		}
	printf("bench-decode: %zu readings per case, %zu indicators x 600 "
	       "points, cJSON %s\n",
	       n, nind, cJSON_Version());

	c = native_singles(n, nind);
	bench("native single (fast path)", &c, m, 0);
	bench("native single, decode only", &c, NULL, 0);
	bench("native single (cJSON path)", &c, m, 1);
	corpus_free(&c);
	c = native_batches(n, nind);
	bench("native batch of 100", &c, m, 0);
	corpus_free(&c);
	c = ngsi_batches(n, 1000);
	bench("NGSI-LD 100 entities x 5", &c, m, 0);
	corpus_free(&c);
	printf("model: %zu bytes\n", model_vitals_memory(m));
	model_vitals_free(&m);
	return 0;
}
