/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * feed-sim's push modes: the scenario stream published to an MQTT broker
 * (--mqtt mqtt://HOST[:PORT]/TOPIC, QoS 1, libmosquitto) or POSTed as
 * NGSI-LD notifications to an endpoint (--ngsi-post URL, the HTTP client
 * of http-client.h, a new connection per notification as Orion-LD does).
 * Messages go out at the stream's rate with at most a window of them
 * unacknowledged (no PUBACK, no 2xx yet); a refused or failed POST is
 * sent again. Only feed-sim uses it.
 */
#ifndef CITYOPS_SIM_PUSH_H
#define CITYOPS_SIM_PUSH_H

#include <stdint.h>
#include <stdio.h>

struct loop;
struct scenario;
struct sim_push;

/* What an MQTT message carries. */
enum sim_push_payload {
	SIM_PUSH_JSON,       /* the stream message as it is */
	SIM_PUSH_ULTRALIGHT, /* readings as IoT Agent UltraLight 2.0 */
};

struct sim_push_opts {
	const char *mqtt_url;  /* mqtt://HOST[:PORT]/TOPIC, or NULL */
	const char *post_url;  /* http(s)://HOST[:PORT]/PATH, or NULL */
	const char *ca_file;   /* for https:// */
	const char *ul_apikey; /* UltraLight: /ul/KEY/INDICATOR/attrs */
	enum sim_push_payload payload;
	double rate;    /* stream messages per second; 0: as fast as taken */
	uint64_t from;  /* first position */
	uint64_t count; /* the stream ends here (UINT64_MAX: endless) */
	int window;     /* unacknowledged at most (0: 1000 MQTT, 16 POST) */
	FILE *record;   /* "position<TAB>message" per message handed over */
	const struct scenario *sc;
};

/* Starts; returns NULL (said on stderr) when it cannot. The loop quits
 * once the stream's end is sent and acknowledged. */
struct sim_push *sim_push_new(struct loop *loop, const struct sim_push_opts *o);
/* "sent N, acknowledged N, skipped N, retried N in S s" for the log,
 * with the POST round trip's p50, p99 and max when there were POSTs. */
void sim_push_summary(struct sim_push *p, char *out, size_t outsz);
void sim_push_free(struct sim_push **pp);

#endif
