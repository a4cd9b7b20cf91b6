/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The parts of issue 10 that read untrusted text: the zone spec
 * (--zone), unit codes from a feed, and the reading judgement with a
 * mapping row. No crash, no leak; a spec accepted once is accepted again
 * and leaves a decoder that still decodes; a conversion between a code and
 * itself is the identity; a refused conversion writes nothing.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed-map.h"
#include "cityops/feed/feed-unit.h"
#include "cityops/feed/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *arg, const struct feed_event *ev)
{
	(void)arg;
	(void)ev;
}

static const char native[] = "{\"t\":\"r\",\"i\":\"a.b\",\"v\":1,\"ts\":1}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *half;
	struct feed_decoder *d = feed_decoder_new();
	struct feed_map *m = feed_map_new();
	struct feed_reading r;
	struct feed_judged j;
	double out = 12345;

	memcpy(s, data, size);
	s[size] = '\0';
	if (feed_decoder_set_zones(NULL, s) == 0 &&
	    feed_decoder_set_zones(d, s) != 0)
		abort();
	feed_decode(d, native, sizeof native - 1, FEED_FORMAT_AUTO, sink, NULL,
	            NULL);
	half = s + strlen(s) / 2;
	if (feed_unit_convert(s, s, 7.5, &out) != FEED_UNIT_OK || out != 7.5)
		abort();
	out = 12345;
	if (feed_unit_convert(s, half, 1, &out) != FEED_UNIT_OK && out != 12345)
		abort();
	(void)feed_unit_symbol(s);
	(void)feed_unit_default(s, half, NULL);
	feed_map_add_units(m, "WeatherObserved", s, "windSpeed", "x.y", half,
	                   NULL);
	memset(&r, 0, sizeof r);
	r.entity_type = "WeatherObserved";
	r.entity_id = s;
	r.ref = half;
	r.attr = "windSpeed";
	r.value = 2;
	r.unit = s[0] != '\0' ? s : NULL;
	(void)feed_judge(m, &r, 1000, FEED_FUTURE_MS, &j);
	feed_map_free(&m);
	feed_decoder_free(&d);
	free(s);
	return 0;
}
