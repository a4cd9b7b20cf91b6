/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * MQTT payloads (feed-mqtt.h): IoT Agent measures by topic, UltraLight
 * 2.0 or JSON; everything else through feed_decode.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cityops/core/text.h"
#include "cityops/core/util.h"
#include "cityops/feed/feed-mqtt.h"
#include "feed-internal.h"

#define SEG_MAX 8

int
feed_ul_parse(const char *buf, size_t len, feed_ul_fn fn, void *arg)
{
	int pairs = 0;

	if (memchr(buf, '\0', len) != NULL)
		return -1;
	/* Two passes: nothing is handed over from a malformed message. */
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0;
		unsigned g = 0;
		pairs = 0;
		while (i <= len) {
			size_t gend = i;
			while (gend < len && buf[gend] != '#')
				gend++;
			/* One group: k|v|k|v. */
			size_t f = i;
			while (f < gend) {
				size_t k = f, ke = k, v, ve;
				while (ke < gend && buf[ke] != '|')
					ke++;
				if (ke == gend || ke == k)
					return -1; /* odd count or empty key */
				v = ke + 1;
				ve = v;
				while (ve < gend && buf[ve] != '|')
					ve++;
				if (pass == 1)
					fn(arg, g, buf + k, ke - k, buf + v,
					   ve - v);
				pairs++;
				f = ve + 1;
			}
			if (gend > i && buf[gend - 1] == '|')
				return -1; /* a trailing empty field */
			i = gend + 1;
			g++;
		}
	}
	return pairs;
}

/* A measure, collected before its group's TimeInstant is known. */
struct measure {
	char key[FEED_ID_MAX + 1];
	double value;
	unsigned group;
	int ok;
};

struct measures {
	struct feed_decoder *d;
	struct measure *m;
	size_t n, cap;
	int64_t ts[64]; /* TimeInstant per group (first 64 groups) */
	int bad_time;
};

static int
clean_ident(const char *s, size_t n)
{
	if (n == 0 || n > FEED_ID_MAX || !text_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void
add_measure(struct measures *ms, unsigned g, const char *k, size_t kn,
            const char *v, size_t vn)
{
	char num[64], *end;
	struct measure *m;

	if (kn == 11 && memcmp(k, "TimeInstant", 11) == 0) {
		int64_t t;
		if (g < 64 &&
		    feed_parse_time(v, vn, ms->d->zone[ms->d->fmt], &t) == 0)
			ms->ts[g] = t;
		else
			ms->bad_time = 1;
		return;
	}
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? ms->cap * 2 : 16;
		ms->m = xrealloc(ms->m, ms->cap * sizeof *ms->m);
	}
	m = &ms->m[ms->n++];
	m->group = g;
	m->ok = 0;
	if (!clean_ident(k, kn)) {
		m->key[0] = '\0';
		return;
	}
	memcpy(m->key, k, kn);
	m->key[kn] = '\0';
	if (vn == 0 || vn >= sizeof num)
		return;
	memcpy(num, v, vn);
	num[vn] = '\0';
	m->value = strtod(num, &end);
	m->ok = end != num && *end == '\0' && isfinite(m->value);
}

static void
ul_pair(void *arg, unsigned g, const char *k, size_t kn, const char *v,
        size_t vn)
{
	add_measure(arg, g, k, kn, v, vn);
}

/* A JSON measures object (group g) into ms. */
static void
json_group(struct measures *ms, const cJSON *o, unsigned g)
{
	for (const cJSON *c = o->child; c != NULL; c = c->next) {
		char num[64];
		const char *k = c->string;
		if (k == NULL)
			continue;
		if (cJSON_IsNumber(c)) {
			snprintf(num, sizeof num, "%.17g", c->valuedouble);
			add_measure(ms, g, k, strlen(k), num, strlen(num));
		} else if (cJSON_IsString(c)) {
			add_measure(ms, g, k, strlen(k), c->valuestring,
			            strlen(c->valuestring));
		} else {
			add_measure(ms, g, k, strlen(k), "", 0);
		}
	}
}

/* The topic's parts: /[proto/]apikey/device/attrs. Returns 1 when it is
 * a measures topic. */
static int
measure_topic(const char *topic, char *apikey, char *device, int *json)
{
	char copy[512], *seg[SEG_MAX], *save = NULL, *t;
	int n = 0, k = -1;

	if (strlen(topic) >= sizeof copy)
		return 0;
	snprintf(copy, sizeof copy, "%s", topic);
	for (t = strtok_r(copy, "/", &save); t != NULL && n < SEG_MAX;
	     t = strtok_r(NULL, "/", &save))
		seg[n++] = t;
	for (int i = 0; i < n; i++)
		if (strcmp(seg[i], "attrs") == 0)
			k = i;
	if (k < 2 || k != n - 1)
		return 0;
	if (!clean_ident(seg[k - 2], strlen(seg[k - 2])) ||
	    !clean_ident(seg[k - 1], strlen(seg[k - 1])))
		return 0;
	snprintf(apikey, FEED_ID_MAX + 1, "%s", seg[k - 2]);
	snprintf(device, FEED_ID_MAX + 1, "%s", seg[k - 1]);
	*json = k >= 3 && strcmp(seg[k - 3], "json") == 0 ? 1
	        : k >= 3 && strcmp(seg[k - 3], "ul") == 0 ? 0
	                                                  : -1;
	return 1;
}

static enum feed_status
reject(struct feed_decoder *d, struct feed_result *res, enum feed_reject r)
{
	res->reason = r;
	d->stats.rejected[r]++;
	return FEED_REJECTED;
}

static enum feed_status
measures(struct feed_decoder *d, const char *apikey, const char *device,
         int json, const char *p, size_t len, feed_sink_fn sink, void *arg,
         struct feed_result *res)
{
	struct measures ms = {.d = d};
	cJSON *root = NULL;
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r'))
		i++;
	if (json < 0)
		json = i < len && (p[i] == '{' || p[i] == '[');
	res->format = FEED_FORMAT_NGSI;
	if (len > d->max)
		return reject(d, res, FEED_REJECT_TOO_LARGE);
	if (json) {
		root = cJSON_ParseWithLength(p, len);
		if (root == NULL)
			return reject(d, res, FEED_REJECT_INVALID_JSON);
		if (cJSON_IsObject(root)) {
			json_group(&ms, root, 0);
		} else if (cJSON_IsArray(root)) {
			unsigned g = 0;
			for (const cJSON *c = root->child; c != NULL;
			     c = c->next, g++)
				if (cJSON_IsObject(c))
					json_group(&ms, c, g);
		} else {
			cJSON_Delete(root);
			return reject(d, res, FEED_REJECT_WRONG_TYPE);
		}
		cJSON_Delete(root);
	} else if (feed_ul_parse(p, len, ul_pair, &ms) < 0) {
		free(ms.m);
		return reject(d, res, FEED_REJECT_WRONG_TYPE);
	}
	if (ms.bad_time) {
		free(ms.m);
		return reject(d, res, FEED_REJECT_BAD_TIME);
	}
	for (size_t j = 0; j < ms.n; j++) {
		struct feed_event ev;
		if (!ms.m[j].ok) {
			res->skipped++;
			res->reason = ms.m[j].key[0] ? FEED_REJECT_BAD_VALUE
			                             : FEED_REJECT_INVALID_UTF8;
			d->stats.skipped[res->reason]++;
			continue;
		}
		memset(&ev, 0, sizeof ev);
		ev.type = FEED_EV_READING;
		ev.format = FEED_FORMAT_NGSI;
		ev.u.reading.entity_id = device;
		ev.u.reading.entity_type = apikey;
		ev.u.reading.attr = ms.m[j].key;
		ev.u.reading.value = ms.m[j].value;
		ev.u.reading.ts_ms =
		    ms.m[j].group < 64 ? ms.ts[ms.m[j].group] : 0;
		res->events++;
		d->stats.events[FEED_EV_READING]++;
		sink(arg, &ev);
	}
	free(ms.m);
	if (res->events == 0)
		return reject(d, res,
		              res->skipped ? res->reason
		                           : FEED_REJECT_MISSING_FIELD);
	d->stats.messages[FEED_FORMAT_NGSI]++;
	return res->skipped ? FEED_PARTIAL : FEED_OK;
}

enum feed_status
feed_mqtt_decode(struct feed_decoder *d, const char *topic, const char *payload,
                 size_t len, feed_sink_fn sink, void *arg,
                 struct feed_result *res)
{
	char apikey[FEED_ID_MAX + 1], device[FEED_ID_MAX + 1];
	struct feed_result local;
	int json;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	if (measure_topic(topic, apikey, device, &json))
		return measures(d, apikey, device, json, payload, len, sink,
		                arg, res);
	/* The brokers' envelope: the notification is its body. */
	if (len <= d->max && memmem(payload, len, "\"metadata\"", 10) != NULL) {
		cJSON *root = cJSON_ParseWithLength(payload, len);
		const cJSON *body =
		    cJSON_GetObjectItemCaseSensitive(root, "body");
		if (cJSON_IsObject(body) &&
		    cJSON_IsObject(
		        cJSON_GetObjectItemCaseSensitive(root, "metadata"))) {
			char *s = cJSON_PrintUnformatted(body);
			enum feed_status st = feed_decode(
			    d, s, strlen(s), FEED_FORMAT_AUTO, sink, arg, res);
			free(s);
			cJSON_Delete(root);
			return st;
		}
		cJSON_Delete(root);
	}
	return feed_decode(d, payload, len, FEED_FORMAT_AUTO, sink, arg, res);
}
