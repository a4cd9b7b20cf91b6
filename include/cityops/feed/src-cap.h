/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A CAP source polled over HTTP(S) (`cityops ingest --cap URL`): an Atom or
 * RSS index of CAP documents, or a single CAP document. Each poll GETs the
 * index with If-None-Match/If-Modified-Since (304: nothing new), then each
 * linked document not yet known, at most `concurrency` at once and within
 * `budget_ms` per poll, streamed into the CAP XML decoder chunk by chunk.
 * A document is known once its owner says so (src_cap_known: it was
 * stored), so a document fetched but never confirmed is fetched again on
 * the next poll, and a confirmed one never. Failures back off with jitter;
 * nothing here blocks or is fatal.
 */
#ifndef CITYOPS_SRC_CAP_H
#define CITYOPS_SRC_CAP_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/feed.h"
#include "cityops/feed/src.h"

struct lws_context;
struct src_cap;

/* Settings; zero fields take the defaults shown. */
struct src_cap_opts {
	const char *url;
	int interval_ms;     /* 60000 */
	int min_interval_ms; /* 10000: interval_ms is never below it */
	int concurrency;     /* 4 documents at once */
	int budget_ms;       /* 30000: a poll's documents, all told */
	int timeout_ms;      /* 15000 per request */
	size_t max_index;    /* 4 MiB */
	size_t max_doc;      /* 1 MiB */
	const char *ca_file; /* NULL: the system store */
	int backoff_min_ms;  /* 1000 */
	int backoff_max_ms;  /* 300000 */
	const char *zones;   /* zone spec for zone-less times; NULL: defaults */
	int lenient;         /* numbers with leading zeros accepted */
	int64_t retention_ms; /* CAP_CACHE_RETENTION_MS (cap-cache.h) */
};

/* Returns a source that polls at once, or NULL with *why (a bad URL). */
struct src_cap *src_cap_new(struct lws_context *ctx,
                            const struct src_cap_opts *o,
                            const struct src_hooks *h, const char **why);
void src_cap_free(struct src_cap **sp);
/* Marks key, a record line (cap-cache.h) handed to h->doc or read back
 * from the owner's state, as stored: that alert and URL never again. */
void src_cap_known(struct src_cap *s, const char *key);
/* Calls fn with each record still kept, for the owner to rewrite its
 * state when h->compact says records were dropped. */
void src_cap_each(const struct src_cap *s,
                  void (*fn)(void *arg, const char *key), void *arg);
/* Holds (1) or releases (0) new document fetches: backpressure. */
void src_cap_pause(struct src_cap *s, int pause);
const struct src_health *src_cap_health(struct src_cap *s);

#endif
