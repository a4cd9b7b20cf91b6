/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Shared between the feed decoders (console/feed-*.c) and nothing else:
 * this is the one place where cJSON meets the feed layer, so it stays out
 * of include/cityops.
 */
#ifndef CITYOPS_FEED_INTERNAL_H
#define CITYOPS_FEED_INTERNAL_H

#include <cJSON.h>

#include "cityops/feed/feed.h"

struct feed_block;

struct feed_decoder {
	size_t max;
	int slow;
	int zone[FEED_FORMAT_COUNT]; /* minutes east of UTC, zoneless times */
	int lenient;                 /* numbers with leading zeros accepted */
	enum feed_format fmt;        /* of the message being decoded */
	int64_t notified_ms;         /* its notifiedAt, 0: none */
	struct feed_stats stats;

	/* Scratch space for event strings; allocation never moves. */
	struct feed_block *head, *cur;

	/* The call in progress. */
	feed_sink_fn sink;
	void *arg;
	struct feed_result *res;
	unsigned call_skipped[FEED_REJECT_COUNT];

	/* Native fast path: readings found before any is emitted. */
	struct feed_fast_row *rows;
	size_t nrows, rows_cap;

	/* A NUL-terminated copy of the message for cJSON (see decode_tree). */
	char *copy;
	size_t copy_cap;

	/* The XML document in progress (feed-xml.c), kept between calls. */
	struct feed_xml *xml;
};

/* A position in the scratch space, to give back what one event used. */
struct feed_mark {
	struct feed_block *blk;
	size_t used;
};

/* Returns n bytes (8-aligned) of scratch valid until the mark is released. */
void *feed_alloc(struct feed_decoder *d, size_t n);
struct feed_mark feed_mark(const struct feed_decoder *d);
void feed_release(struct feed_decoder *d, struct feed_mark m);

/* Returns a sanitised scratch copy of free text; counts it if changed. */
const char *feed_text(struct feed_decoder *d, const char *s, size_t len);
/*
 * Checks and copies an identifier: returns FEED_REJECT_NONE and sets *out,
 * or the reason it is unusable (empty, too long, not clean UTF-8).
 */
enum feed_reject feed_ident(struct feed_decoder *d, const char *s, size_t len,
                            const char **out);

/* Hands ev to the sink and counts it. */
void feed_emit(struct feed_decoder *d, const struct feed_event *ev);
/* Counts one item dropped inside an otherwise accepted message. */
void feed_skip(struct feed_decoder *d, enum feed_reject why);

/* A member of obj by exact name, or NULL. */
const cJSON *feed_get(const cJSON *obj, const char *name);
/* A string member's value, or NULL when absent, null or not a string. */
const char *feed_get_str(const cJSON *obj, const char *name);
/*
 * A number, accepting numeric strings as untidy feeds send them. Returns 0
 * and sets *v (finite), 1 when absent or null, -1 when not a usable number.
 */
int feed_number(const cJSON *v, double *out);
/* Parses a whole string as a finite number; returns 0 or -1. */
int feed_parse_number(const char *s, size_t len, double *out);
/* A string member as sanitised scratch text; NULL when absent or empty. */
const char *feed_get_text(struct feed_decoder *d, const cJSON *obj,
                          const char *name);
/* A required identifier member: as feed_ident, or missing, or wrong type. */
enum feed_reject feed_get_ident(struct feed_decoder *d, const cJSON *obj,
                                const char *name, const char **out);
/*
 * Decodes each item of the array list with one, counting the items it
 * refuses as skipped; each item's scratch is released after it.
 */
void feed_each(struct feed_decoder *d, const cJSON *list,
               enum feed_reject (*one)(struct feed_decoder *d,
                                       const cJSON *item));
/* Returns from the calling decoder with the reason expr gives, if any. */
#define FEED_TRY(expr)                                                         \
	do {                                                                   \
		enum feed_reject why_ = (expr);                                \
		if (why_ != FEED_REJECT_NONE)                                  \
			return why_;                                           \
	} while (0)
/* ASCII case-insensitive comparison of a string with a name. */
int feed_strcaseeq(const char *a, const char *b);
/* A JSON string (or NGSI-LD {"@value": …}) as a time; 0, 1 absent, -1. */
int feed_time(struct feed_decoder *d, const cJSON *v, int64_t *ms);

/* Per-format decoders. Each returns the reason the whole message fails. */
int feed_native_fast(struct feed_decoder *d, const char *buf, size_t len);
enum feed_reject feed_native_tree(struct feed_decoder *d, const cJSON *root);
enum feed_reject feed_ngsi_tree(struct feed_decoder *d, const cJSON *root);
enum feed_reject feed_cap_tree(struct feed_decoder *d, const cJSON *root);
enum feed_reject feed_open311_tree(struct feed_decoder *d, const cJSON *root);

/* Sets up a call: counters, scratch reset, where events go. */
void feed_call_begin(struct feed_decoder *d, feed_sink_fn sink, void *arg,
                     struct feed_result *res);
/* Ends a call that found why (NONE: accepted) in format fmt: counts it. */
enum feed_status feed_call_end(struct feed_decoder *d, enum feed_reject why,
                               enum feed_format fmt);
/* 1 when the message's first non-blank byte (after any BOM) is '<'. */
int feed_looks_xml(const char *buf, size_t len);
/* Frees the XML state (feed_decoder_free). */
void feed_xml_free(struct feed_decoder *d);

/*
 * What feed-xml.c hands the per-format XML decoders: the element just
 * closed, by local name, with its parent's local name and its text
 * (trimmed), and the depth (root 1). Each returns a reason that fails
 * the whole document, or NONE.
 */
struct feed_xml_el {
	const char *name, *parent, *grand;
	const char *text;
	size_t len;
	int depth;
};
struct feed_cap_xml;
struct feed_o311_xml;
struct feed_cap_xml *feed_cap_xml_new(void);
void feed_cap_xml_free(struct feed_cap_xml **xp);
void feed_cap_xml_reset(struct feed_cap_xml *x);
enum feed_reject feed_cap_xml_end(struct feed_decoder *d,
                                  struct feed_cap_xml *x,
                                  const struct feed_xml_el *el);
/* Builds the event at the end of the document (a copy in *ev). */
enum feed_reject feed_cap_xml_finish(struct feed_decoder *d,
                                     struct feed_cap_xml *x,
                                     struct feed_event *ev);
struct feed_o311_xml *feed_o311_xml_new(void);
void feed_o311_xml_free(struct feed_o311_xml **xp);
void feed_o311_xml_reset(struct feed_o311_xml *x);
enum feed_reject feed_o311_xml_end(struct feed_decoder *d,
                                   struct feed_o311_xml *x,
                                   const struct feed_xml_el *el);
/* Requests decoded so far; *n gets the count. Events live in scratch. */
const struct feed_event *feed_o311_xml_events(struct feed_o311_xml *x,
                                              size_t *n);
/* Items of the document skipped (counted with feed_skip at the end). */
size_t feed_o311_xml_skipped(struct feed_o311_xml *x, enum feed_reject *why);
/* The CAP enumerations both encodings share (feed.h's lists). */
enum feed_cap_enum {
	FEED_CAP_E_STATUS,
	FEED_CAP_E_MSGTYPE,
	FEED_CAP_E_SCOPE,
	FEED_CAP_E_URGENCY,
	FEED_CAP_E_SEVERITY,
	FEED_CAP_E_CERTAINTY,
};
/* The index of s among kind's names, matched without regard to case
 * (feed-cap.c); -1 if none. */
int feed_cap_enum(enum feed_cap_enum kind, const char *s);
/* Parses "lat,lon lat,lon …" into scratch (feed-cap.c); 0 or -1. */
int feed_cap_polygon(struct feed_decoder *d, const char *s,
                     struct feed_polygon *out);
/* Parses a CAP circle "lat,lon radius-km" of len bytes (feed-cap.c);
 * 0 or -1. */
int feed_cap_circle(const char *s, size_t len, struct feed_circle *c);

/* Largest epoch ms accepted: 9999-12-31T23:59:59.999Z. */
#define FEED_TS_LIMIT 253402300799999LL

#endif
