/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * feed-sim's push modes (sim-push.h). A pacer on the loop hands stream
 * messages over while the live position is ahead and the window has room.
 * MQTT runs libmosquitto's own thread (mosquitto_loop_start): publishing
 * is thread-safe there, and PUBACKs come back through on_publish, which
 * only counts. POSTs are requests of the loop's HTTP client, one slot per
 * request in flight; a slot whose POST failed (no answer, not 2xx) sends
 * the same message again after a pause, so nothing is skipped.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mosquitto.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/http-client.h"
#include "cityops/feed/mqtt-source.h"
#include "cityops/feed/scenario.h"
#include "sim-push.h"

#define RETRY_MS    200
#define MAX_PACE_MS 50

struct slot {
	struct sim_push *p;
	struct http_req *req;
	uint64_t pos;
	int64_t sent_us; /* first sent, for the latency */
	struct buf body;
	int busy;
	int64_t retry_at; /* loop_now_ms; 0: not waiting */
};

struct sim_push {
	struct sim_push_opts o;
	struct loop *loop;
	struct loop_timer *pacer;
	int64_t t0_us;
	int pace_ms, done, started;
	uint64_t next, sent, skipped, retried;
	atomic_uint_fast64_t acked;
	/* MQTT */
	struct mosquitto *mosq;
	char host[256], topic[512];
	int port;
	atomic_int connected;
	/* POST */
	struct slot *slots;
	struct buf msg, alt;
	char alt_topic[600];
	/* POST: first send to 2xx, microseconds, one per message. */
	uint32_t *lat;
	size_t nlat, lat_cap;
};

static void
latency_add(struct sim_push *p, int64_t us)
{
	if (p->nlat == p->lat_cap) {
		p->lat_cap = p->lat_cap ? 2 * p->lat_cap : 4096;
		p->lat = xrealloc(p->lat, p->lat_cap * sizeof *p->lat);
	}
	p->lat[p->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
live_pos(const struct sim_push *p)
{
	double k;

	if (p->o.rate <= 0)
		return p->o.count;
	k = (double)(feed_mono_us() - p->t0_us) / 1e6 * p->o.rate +
	    (double)p->o.from;
	return k >= (double)p->o.count ? p->o.count : (uint64_t)k;
}

static void
record(struct sim_push *p, uint64_t pos, const char *m, size_t n)
{
	if (p->o.record == NULL)
		return;
	fprintf(p->o.record, "%" PRIu64 "\t", pos);
	fwrite(m, 1, n, p->o.record);
	fputc('\n', p->o.record);
}

static int
is_ngsi(const struct buf *m)
{
	static const char head[] = "{\"type\":\"Notification\"";

	return m->len >= sizeof head - 1 &&
	       memcmp(m->data, head, sizeof head - 1) == 0;
}

/* A native reading as UltraLight on its IoT Agent topic; 0, or -1 when
 * the message is no reading. */
static int
to_ultralight(struct sim_push *p, const struct buf *m)
{
	cJSON *j = cJSON_ParseWithLength(m->data, m->len);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "t");
	const cJSON *i = cJSON_GetObjectItemCaseSensitive(j, "i");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "v");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(j, "ts");
	int rc = -1;

	if (cJSON_IsString(t) && strcmp(t->valuestring, "r") == 0 &&
	    cJSON_IsString(i) && cJSON_IsNumber(v) && cJSON_IsNumber(ts) &&
	    strchr(i->valuestring, '/') == NULL) {
		time_t sec = (time_t)(ts->valuedouble / 1000);
		struct tm tm;
		char iso[40];
		gmtime_r(&sec, &tm);
		strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(p->alt_topic, sizeof p->alt_topic, "/ul/%s/%s/attrs",
		         p->o.ul_apikey, i->valuestring);
		buf_reset(&p->alt);
		buf_printf(&p->alt, "v|%.15g|TimeInstant|%s.%03dZ",
		           v->valuedouble, iso,
		           (int)((int64_t)ts->valuedouble % 1000));
		rc = 0;
	}
	cJSON_Delete(j);
	return rc;
}

/* ---- MQTT ---------------------------------------------------------------- */

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct sim_push *p = arg;

	(void)m;
	if (rc == 0)
		atomic_store(&p->connected, 1);
	else
		log_msg(LOG_WARN, "feed-sim: broker refused: %s",
		        mosquitto_connack_string(rc));
}

static void
on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct sim_push *p = arg;

	(void)m;
	atomic_store(&p->connected, 0);
	if (rc != 0)
		log_msg(LOG_WARN, "feed-sim: broker connection lost");
}

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct sim_push *p = arg;

	(void)m;
	(void)mid;
	atomic_fetch_add(&p->acked, 1);
}

static int
mqtt_start(struct sim_push *p)
{
	int rc;

	/* Plain, anonymous publishing only (tests use mosquitto_pub for
	 * TLS and passwords). */
	if (strncmp(p->o.mqtt_url, "mqtt://", 7) != 0 ||
	    strchr(p->o.mqtt_url, '@') != NULL ||
	    mqtt_url_parse(p->o.mqtt_url, p->host, sizeof p->host, &p->port,
	                   p->topic, sizeof p->topic) != 0 ||
	    strpbrk(p->topic, "+#") != NULL) {
		fprintf(stderr,
		        "cityops feed-sim: --mqtt wants "
		        "mqtt://HOST[:PORT]/TOPIC (no wildcards): %s\n",
		        p->o.mqtt_url);
		return -1;
	}
	mosquitto_lib_init();
	p->mosq = mosquitto_new(NULL, true, p);
	if (p->mosq == NULL)
		return -1;
	mosquitto_connect_callback_set(p->mosq, on_connect);
	mosquitto_disconnect_callback_set(p->mosq, on_disconnect);
	mosquitto_publish_callback_set(p->mosq, on_publish);
	mosquitto_reconnect_delay_set(p->mosq, 1, 10, true);
	mosquitto_max_inflight_messages_set(p->mosq, (unsigned)p->o.window);
	rc = mosquitto_connect_async(p->mosq, p->host, p->port, 30);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_loop_start(p->mosq);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "cityops feed-sim: MQTT %s:%d: %s\n", p->host,
		        p->port, mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

/* Publishes p->msg at position pos; 0, 1 when skipped, -1: try later. */
static int
mqtt_send(struct sim_push *p, uint64_t pos)
{
	const char *topic = p->topic;
	const struct buf *b = &p->msg;
	int rc;

	if (p->o.payload == SIM_PUSH_ULTRALIGHT) {
		if (to_ultralight(p, &p->msg) != 0)
			return 1;
		topic = p->alt_topic;
		b = &p->alt;
	}
	rc = mosquitto_publish(p->mosq, NULL, topic, (int)b->len, b->data, 1,
	                       false);
	if (rc != MOSQ_ERR_SUCCESS)
		return -1;
	record(p, pos, b->data, b->len);
	return 0;
}

/* ---- POST ---------------------------------------------------------------- */

static void post_start(struct slot *s);

static void
post_done(void *arg, const struct http_reply *r)
{
	struct slot *s = arg;
	struct sim_push *p = s->p;

	s->req = NULL;
	if (r->status >= 200 && r->status < 300) {
		s->busy = 0;
		latency_add(p, feed_mono_us() - s->sent_us);
		atomic_fetch_add(&p->acked, 1);
	} else {
		if (p->retried++ % 1000 == 0)
			log_msg(LOG_WARN,
			        "feed-sim: POST of position %" PRIu64
			        " failed (%d %s); sending it again",
			        s->pos, r->status, r->error ? r->error : "");
		s->retry_at = loop_now_ms() + RETRY_MS;
	}
	loop_timer_start(p->pacer, 0);
}

static void
post_start(struct slot *s)
{
	struct http_opts o;
	const char *why = NULL;

	memset(&o, 0, sizeof o);
	o.method = "POST";
	o.content_type = "application/json";
	o.body = s->body.data;
	o.body_len = s->body.len;
	o.max_body = 65536;
	o.timeout_ms = 10000;
	o.ca_file = s->p->o.ca_file;
	s->retry_at = 0;
	s->req = http_request(loop_lws(s->p->loop), s->p->o.post_url, &o, NULL,
	                      post_done, s, &why);
	if (s->req == NULL)
		s->retry_at = loop_now_ms() + RETRY_MS;
}

/* POSTs p->msg if it is a notification; 0, 1 when skipped, -1: no slot. */
static int
post_send(struct sim_push *p, uint64_t pos)
{
	struct slot *s = NULL;

	if (!is_ngsi(&p->msg))
		return 1;
	for (int i = 0; i < p->o.window && s == NULL; i++)
		if (!p->slots[i].busy)
			s = &p->slots[i];
	if (s == NULL)
		return -1;
	s->busy = 1;
	s->pos = pos;
	s->sent_us = feed_mono_us();
	buf_reset(&s->body);
	buf_add(&s->body, p->msg.data, p->msg.len);
	record(p, pos, p->msg.data, p->msg.len);
	post_start(s);
	return 0;
}

static void
post_retries(struct sim_push *p)
{
	int64_t now = loop_now_ms();

	for (int i = 0; i < p->o.window; i++) {
		struct slot *s = &p->slots[i];
		if (s->busy && s->req == NULL && s->retry_at != 0 &&
		    s->retry_at <= now)
			post_start(s);
	}
}

/* ---- pacing -------------------------------------------------------------- */

static void
pace(void *arg)
{
	struct sim_push *p = arg;
	uint64_t live;
	int rc = 0;

	/* The clock starts when the broker answers: message k is due at
	 * the logged wall-clock time + k / rate (benchmarks measure
	 * latency from there). */
	if (!p->started && (p->mosq == NULL || atomic_load(&p->connected))) {
		p->started = 1;
		p->t0_us = feed_mono_us();
		log_msg(LOG_INFO,
		        "feed-sim: pacing from %" PRId64
		        " ms (wall clock), position %" PRIu64 ", %.0f/s",
		        feed_wall_ms(), p->o.from, p->o.rate);
	}
	live = p->started ? live_pos(p) : p->next;
	if (p->slots != NULL)
		post_retries(p);
	if (p->mosq != NULL && !atomic_load(&p->connected))
		live = p->next; /* nothing until the broker answers */
	while (p->next < live &&
	       p->sent - atomic_load(&p->acked) < (uint64_t)p->o.window) {
		buf_reset(&p->msg);
		scenario_message(p->o.sc, p->next, feed_wall_ms(), &p->msg);
		rc = p->mosq != NULL ? mqtt_send(p, p->next)
		                     : post_send(p, p->next);
		if (rc < 0)
			break;
		if (rc == 0)
			p->sent++;
		else
			p->skipped++;
		p->next++;
	}
	if (p->o.record != NULL)
		fflush(p->o.record);
	if (p->next >= p->o.count && atomic_load(&p->acked) == p->sent) {
		if (!p->done)
			log_msg(LOG_INFO, "feed-sim: stream end sent and "
			                  "acknowledged");
		p->done = 1;
		loop_quit(p->loop);
		return;
	}
	loop_timer_start(p->pacer, p->pace_ms);
}

struct sim_push *
sim_push_new(struct loop *loop, const struct sim_push_opts *o)
{
	struct sim_push *p = xcalloc(1, sizeof *p);

	p->o = *o;
	p->loop = loop;
	p->next = o->from;
	if (p->o.window <= 0)
		p->o.window = o->mqtt_url != NULL ? 1000 : 16;
	p->pace_ms = o->rate > 0 ? (int)(1000.0 / o->rate) : 1;
	if (p->pace_ms < 1)
		p->pace_ms = 1;
	if (p->pace_ms > MAX_PACE_MS)
		p->pace_ms = MAX_PACE_MS;
	if (o->mqtt_url != NULL) {
		if (mqtt_start(p) != 0) {
			sim_push_free(&p);
			return NULL;
		}
	} else {
		p->slots = xcalloc((size_t)p->o.window, sizeof *p->slots);
		for (int i = 0; i < p->o.window; i++)
			p->slots[i].p = p;
	}
	p->pacer = loop_timer_new(loop, pace, p);
	p->t0_us = feed_mono_us();
	loop_timer_start(p->pacer, 0);
	return p;
}

void
sim_push_summary(struct sim_push *p, char *out, size_t outsz)
{
	int n = snprintf(out, outsz,
	                 "sent %" PRIu64 ", acknowledged %" PRIu64
	                 ", skipped %" PRIu64 ", retried %" PRIu64 " in %.3f s",
	                 p->sent, (uint64_t)atomic_load(&p->acked), p->skipped,
	                 p->retried, (double)(feed_mono_us() - p->t0_us) / 1e6);

	if (p->nlat == 0 || n < 0 || (size_t)n >= outsz)
		return;
	qsort(p->lat, p->nlat, sizeof *p->lat, cmp_u32);
	snprintf(out + n, outsz - (size_t)n,
	         "; POST to 2xx: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
	         p->lat[p->nlat / 2] / 1e3, p->lat[p->nlat * 99 / 100] / 1e3,
	         p->lat[p->nlat - 1] / 1e3);
}

void
sim_push_free(struct sim_push **pp)
{
	struct sim_push *p = *pp;

	if (p == NULL)
		return;
	loop_timer_free(&p->pacer);
	if (p->mosq != NULL) {
		mosquitto_disconnect(p->mosq);
		mosquitto_loop_stop(p->mosq, false);
		mosquitto_destroy(p->mosq);
		mosquitto_lib_cleanup();
	}
	for (int i = 0; p->slots != NULL && i < p->o.window; i++) {
		http_cancel(&p->slots[i].req);
		buf_free(&p->slots[i].body);
	}
	free(p->slots);
	free(p->lat);
	buf_free(&p->msg);
	buf_free(&p->alt);
	free(p);
	*pp = NULL;
}
