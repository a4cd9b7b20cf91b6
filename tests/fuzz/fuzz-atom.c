/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The Atom/RSS index parser on arbitrary bytes: no crash, no leak; every
 * entry it reports has a non-empty link, and an alert key either whole
 * (sender, identifier, a sent time) or absent.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cityops/feed/feed-index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
entry(void *arg, const struct feed_index_entry *e)
{
	(void)arg;
	if (e->link == NULL || e->link[0] == '\0')
		abort();
	if ((e->cap_sender != NULL) != (e->cap_identifier != NULL) ||
	    (e->cap_sender != NULL) != (e->cap_sent_ms != 0) ||
	    (e->cap_sender != NULL &&
	     (e->cap_sender[0] == '\0' || e->cap_identifier[0] == '\0')))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	size_t skipped = 0;

	if (feed_index_parse((const char *)data, size, 1 << 20, entry, NULL,
	                     &skipped, &why) < 0 &&
	    why == NULL)
		abort();
	return 0;
}
