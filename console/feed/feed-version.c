/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The feed layer's library versions (include/cityops/feed/feed-version.h). */
#include <cJSON.h>
#include <libwebsockets.h>

#include "cityops/feed/feed-version.h"

const char *
feed_cjson_version(void)
{
	return cJSON_Version();
}

const char *
feed_lws_version(void)
{
	return lws_get_library_version();
}
