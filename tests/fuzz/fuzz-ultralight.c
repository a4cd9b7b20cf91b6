/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The UltraLight 2.0 parser and the MQTT payload decoder on arbitrary
 * bytes. The first line is an MQTT topic, the rest the payload. Checked:
 * feed_ul_parse hands over exactly the pairs it counts, or nothing when
 * it refuses; every key is non-empty; no key or value holds '|' or '#'
 * or leaves the buffer; feed_mqtt_decode never crashes, and every reading
 * it delivers is finite with clean identifiers.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"
#include "cityops/feed/feed-mqtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	const char *buf;
	size_t len;
	int pairs;
};

static void
on_pair(void *arg, unsigned g, const char *k, size_t kn, const char *v,
        size_t vn)
{
	struct seen *s = arg;

	if (kn == 0 || k < s->buf || k + kn > s->buf + s->len || v < s->buf ||
	    v + vn > s->buf + s->len)
		abort();
	if (memchr(k, '|', kn) || memchr(k, '#', kn) || memchr(v, '|', vn) ||
	    memchr(v, '#', vn))
		abort();
	s->pairs++;
}

static void
on_event(void *arg, const struct feed_event *ev)
{
	const struct feed_reading *r = &ev->u.reading;

	if (ev->type != FEED_EV_READING)
		return;
	if (!isfinite(r->value))
		abort();
	if (r->key == NULL &&
	    (r->attr == NULL || !text_utf8_valid(r->attr, strlen(r->attr))))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct feed_decoder *d;
	const char *buf = (const char *)data, *nl = memchr(buf, '\n', size);
	struct seen s = {buf, size, 0};
	char topic[300];
	size_t tn;
	int n;

	n = feed_ul_parse(buf, size, on_pair, &s);
	if ((n < 0 && s.pairs != 0) || (n >= 0 && n != s.pairs))
		abort();
	if (d == NULL)
		d = feed_decoder_new();
	if (nl == NULL)
		return 0;
	tn = (size_t)(nl - buf) < sizeof topic - 1 ? (size_t)(nl - buf)
	                                           : sizeof topic - 1;
	memcpy(topic, buf, tn);
	topic[tn] = '\0';
	if (strlen(topic) != tn)
		return 0; /* MQTT topics hold no NUL */
	feed_mqtt_decode(d, topic, nl + 1, size - (size_t)(nl - buf) - 1,
	                 on_event, NULL, NULL);
	return 0;
}
