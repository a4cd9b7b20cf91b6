/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What the polled sources (src-cap.h, src-open311.h) share: how they hand
 * over what they decoded, keyed so that the owner can confirm each item
 * once it is stored, and their health.
 */
#ifndef CITYOPS_SRC_H
#define CITYOPS_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/feed.h"

struct src_hooks {
	/* An event of item key; pointers live for the call. */
	void (*event)(void *arg, const char *key, const struct feed_event *ev);
	/* Item key is done (decoded, or rejected: res->reason). The owner
	 * confirms it with the source's _known call once stored. */
	void (*doc)(void *arg, const char *key, const struct feed_result *res);
	/* Optional: the source dropped confirmed items it no longer needs;
	 * the owner rewrites its saved state from the source's _each. */
	void (*compact)(void *arg);
	void *arg;
};

/* Health, for the log. */
struct src_health {
	const char *url;
	const char *state;           /* "idle", "polling", "waiting" */
	char why[200];               /* last failure, "" when none */
	int64_t last_ok_ms, next_ms; /* wall clock; 0: never / none */
	int64_t failed_ms;           /* wall clock of why; 0: never */
	uint64_t polls, not_modified, failures;
	uint64_t docs, docs_failed, events;
	uint64_t rejected[FEED_REJECT_COUNT]; /* documents, by reason */
	size_t known;
};

#endif
