/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * MQTT source addresses: mqtt[s]://[USER[:PASSWORD]@]HOST[:PORT]/FILTER.
 * mqtt:// defaults to port 1883, mqtts:// (TLS) to 8883; HOST may be a
 * name, an IPv4 address or a bracketed IPv6 address; USER and PASSWORD
 * may hold %XX escapes. The filter is everything after the first '/'
 * (so "mqtt://h//ul/+/+/attrs" subscribes to "/ul/+/+/attrs").
 */
#ifndef CITYOPS_MQTT_URL_H
#define CITYOPS_MQTT_URL_H

#include <stddef.h>

struct mqtt_url {
	int tls;
	int port;
	int has_user, has_pass;
	char host[256]; /* without brackets */
	char filter[512];
	char user[128];
	char pass[256];
};

/* 0, or -1 when url is not that shape (nothing in u is then meaningful). */
int mqtt_url_split(const char *url, struct mqtt_url *u);
/* url with its password, if any, shown as "***" (for logs and health). */
void mqtt_url_redact(const char *url, char *out, size_t outsz);
/* url without USER[:PASSWORD]@ (the same broker and filter, however the
 * credentials are given). */
void mqtt_url_bare(const char *url, char *out, size_t outsz);

#endif
