/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The MQTT source URL parser (mqtt-url.h) on arbitrary bytes: no crash;
 * an accepted URL has a host, a port in range and a filter, and its
 * shown form hides the password and the bare one the credentials.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/mqtt-url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char url[2048], shown[2100], bare[2100];
	struct mqtt_url u;

	if (size >= sizeof url)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	mqtt_url_redact(url, shown, sizeof shown);
	mqtt_url_bare(url, bare, sizeof bare);
	if (mqtt_url_split(url, &u) != 0)
		return 0;
	if (u.host[0] == '\0' || u.port < 1 || u.port > 65535 ||
	    u.filter[0] == '\0')
		abort();
	/* With a password, the shown form hides it, and the bare form
	 * holds no user at all. */
	if (u.has_pass && strstr(shown, ":***@") == NULL)
		abort();
	if (u.has_user && strchr(bare, '@') != NULL &&
	    strchr(bare, '@') < strchr(strstr(bare, "://") + 3, '/'))
		abort();
	return 0;
}
