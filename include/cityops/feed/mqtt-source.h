/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * An MQTT subscription with libmosquitto, driven from the loop: the
 * client's socket is watched through loop_watch_fd (a dup, adopted anew
 * after every reconnect, since the socket changes), mosquitto_loop_read,
 * _write and _misc are called from the loop, never mosquitto_loop_start.
 *
 * QoS 1, clean session off, a stable client id: the broker keeps what is
 * published while we are away and sends it when we come back.
 *
 * Acknowledgements are held: libmosquitto 2.0.11 queues the PUBACK of a
 * QoS 1 message (lib/handle_publish.c) before it calls the message
 * callback. Marked threaded (mosquitto_threaded_set), it only queues it
 * (lib/packet_mosq.c, packet__queue); we write queued packets only when
 * the owner calls mqtt_source_release, after it has kept every message
 * handed over durably. A kill before that leaves the messages unacked,
 * and the broker sends them again.
 */
#ifndef CITYOPS_MQTT_SOURCE_H
#define CITYOPS_MQTT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct mqtt_source;

struct mqtt_source_opts {
	const char *url;       /* mqtt[s]://[USER[:PASS]@]HOST[:PORT]/FILTER */
	const char *client_id; /* stable across restarts */
	int keepalive_s;       /* 30 */
	const char *user;      /* NULL: the URL's */
	const char *password;  /* NULL: the URL's; never logged */
	const char *ca_file;   /* mqtts://: PEM CAs; NULL: system store */
};

/* One message; payload is not NUL-terminated. */
typedef void (*mqtt_source_msg_fn)(void *arg, struct mqtt_source *ms,
                                   const char *topic, const char *payload,
                                   size_t len);

#define MQTT_LINK_LIST(X)                                                      \
	X(CONNECTING, "connecting")                                            \
	X(UP, "up")                                                            \
	X(DOWN, "down")

enum mqtt_link {
#define X(id, name) MQTT_LINK_##id,
	MQTT_LINK_LIST(X)
#undef X
};

struct mqtt_source_health {
	enum mqtt_link link;
	uint64_t messages, reconnects;
	char last_error[96];
};

/*
 * Parses an MQTT source URL (mqtt-url.h) into its host, port and filter.
 * Returns 0, or -1 when it is not that shape.
 */
int mqtt_url_parse(const char *url, char *host, size_t hostsz, int *port,
                   char *filter, size_t filtersz);

/* Connects (and keeps reconnecting); NULL (logged) on a bad URL. */
struct mqtt_source *mqtt_source_new(struct loop *loop,
                                    const struct mqtt_source_opts *o,
                                    mqtt_source_msg_fn fn, void *arg);
void mqtt_source_free(struct mqtt_source **msp);
/* Everything handed over is kept: the held acknowledgements may go. */
void mqtt_source_release(struct mqtt_source *ms);
/*
 * Drops the link without writing anything queued (the held PUBACKs go
 * with it, mosquitto_reconnect discards them) and reconnects: the broker
 * sends the unacknowledged messages again.
 */
void mqtt_source_drop(struct mqtt_source *ms);
/* Stops (1) or restarts (0) reading: the broker holds the rest. */
void mqtt_source_pause(struct mqtt_source *ms, int pause);
const struct mqtt_source_health *
mqtt_source_health(const struct mqtt_source *ms);
const char *mqtt_link_name(enum mqtt_link l);

#endif
