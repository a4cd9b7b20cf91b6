/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The decoder core: format detection, the one place a cJSON tree is parsed
 * and freed, scratch space for event strings, counting by reason, and the
 * helpers the per-format decoders share (identifiers, cJSON access).
 * Numbers, times and zones: feed-value.c.
 */
#include <ctype.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"
#include "cityops/core/util.h"
#include "feed-internal.h"

/*
 * Scratch space is a chain of blocks that is kept between messages, so a
 * steady stream allocates nothing; blocks never move, so pointers handed
 * out stay valid while an event is being built.
 */
struct feed_block {
	struct feed_block *next;
	size_t cap, used;
	alignas(max_align_t) char data[];
};

#define BLOCK_MIN (64 * 1024)

static const char *const format_names[] = {
#define X(id, name, help) name,
    FEED_FORMAT_LIST(X)
#undef X
};
static const char *const reject_names[] = {
#define X(id, name, help) name,
    FEED_REJECT_LIST(X)
#undef X
};
static const char *const reject_helps[] = {
#define X(id, name, help) help,
    FEED_REJECT_LIST(X)
#undef X
};
static const char *const event_names[] = {
#define X(id, name) name,
    FEED_EVENT_LIST(X)
#undef X
};
static const char *const level_names[] = {
#define X(id, name) name,
    FEED_LEVEL_LIST(X)
#undef X
};
#define X(id, name) name,
static const char *const cap_status_names[] = {FEED_CAP_STATUS_LIST(X)};
static const char *const cap_msgtype_names[] = {FEED_CAP_MSGTYPE_LIST(X)};
static const char *const cap_scope_names[] = {FEED_CAP_SCOPE_LIST(X)};
static const char *const cap_urgency_names[] = {FEED_CAP_URGENCY_LIST(X)};
static const char *const cap_severity_names[] = {FEED_CAP_SEVERITY_LIST(X)};
static const char *const cap_certainty_names[] = {FEED_CAP_CERTAINTY_LIST(X)};
#undef X

#define NAME(table, i)                                                         \
	((unsigned)(i) < sizeof table / sizeof table[0] ? table[i] : "?")

const char *
feed_format_name(enum feed_format f)
{
	return NAME(format_names, f);
}

const char *
feed_reject_name(enum feed_reject r)
{
	return NAME(reject_names, r);
}

const char *
feed_reject_help(enum feed_reject r)
{
	return NAME(reject_helps, r);
}

const char *
feed_event_name(enum feed_event_type t)
{
	return NAME(event_names, t);
}

const char *
feed_level_name(enum feed_level l)
{
	return NAME(level_names, l);
}

const char *
feed_cap_status_name(enum feed_cap_status s)
{
	return NAME(cap_status_names, s);
}

const char *
feed_cap_msgtype_name(enum feed_cap_msgtype t)
{
	return NAME(cap_msgtype_names, t);
}

const char *
feed_cap_scope_name(enum feed_cap_scope s)
{
	return NAME(cap_scope_names, s);
}

const char *
feed_cap_urgency_name(enum feed_cap_urgency u)
{
	return NAME(cap_urgency_names, u);
}

const char *
feed_cap_severity_name(enum feed_cap_severity s)
{
	return NAME(cap_severity_names, s);
}

const char *
feed_cap_certainty_name(enum feed_cap_certainty c)
{
	return NAME(cap_certainty_names, c);
}

int
feed_format_from_name(const char *s)
{
	for (int i = 0; i < FEED_FORMAT_COUNT; i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}

struct feed_decoder *
feed_decoder_new(void)
{
	struct feed_decoder *d = xcalloc(1, sizeof *d);

	d->max = FEED_MAX_DEFAULT;
	/* Zone-less times: the specs of NGSI-LD (and v2), Open311 and CAP
	 * say UTC; our native format is the centre's own. */
	d->zone[FEED_FORMAT_NATIVE] = 480;
	d->head = xmalloc(sizeof *d->head + BLOCK_MIN);
	d->head->next = NULL;
	d->head->cap = BLOCK_MIN;
	d->head->used = 0;
	d->cur = d->head;
	return d;
}

void
feed_decoder_free(struct feed_decoder **dp)
{
	struct feed_decoder *d = *dp;
	struct feed_block *b, *next;

	if (d == NULL)
		return;
	for (b = d->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(d->rows);
	free(d->copy);
	feed_xml_free(d);
	free(d);
	*dp = NULL;
}

void
feed_decoder_set_max(struct feed_decoder *d, size_t max)
{
	d->max = max;
}

void
feed_decoder_set_slow(struct feed_decoder *d, int slow)
{
	d->slow = slow;
}

void
feed_decoder_set_lenient(struct feed_decoder *d, int lenient)
{
	d->lenient = lenient;
}

const struct feed_stats *
feed_decoder_stats(const struct feed_decoder *d)
{
	return &d->stats;
}

void *
feed_alloc(struct feed_decoder *d, size_t n)
{
	struct feed_block *b = d->cur;

	n = (n + 7) & ~(size_t)7;
	while (b->cap - b->used < n) {
		if (b->next == NULL || b->next->cap < n) {
			/* Insert a big enough block after this one. */
			size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
			struct feed_block *nb = xmalloc(sizeof *nb + cap);

			nb->cap = cap;
			nb->next = b->next;
			b->next = nb;
		}
		b = b->next;
		b->used = 0;
	}
	d->cur = b;
	b->used += n;
	return b->data + b->used - n;
}

struct feed_mark
feed_mark(const struct feed_decoder *d)
{
	struct feed_mark m = {d->cur, d->cur->used};

	return m;
}

void
feed_release(struct feed_decoder *d, struct feed_mark m)
{
	d->cur = m.blk;
	d->cur->used = m.used;
}

static int
plain_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

const char *
feed_text(struct feed_decoder *d, const char *s, size_t len)
{
	char *out;
	size_t n;

	if (plain_ascii(s, len)) {
		out = feed_alloc(d, len + 1);
		memcpy(out, s, len);
		out[len] = '\0';
		return out;
	}
	/* Each input byte becomes at most three (U+FFFD). */
	out = feed_alloc(d, len * 3 + 1);
	n = text_sanitize(s, len, out, len * 3 + 1);
	if (n != len || memcmp(out, s, len) != 0)
		d->res->cleaned++;
	return out;
}

enum feed_reject
feed_ident(struct feed_decoder *d, const char *s, size_t len, const char **out)
{
	char *copy;

	if (len == 0)
		return FEED_REJECT_MISSING_FIELD;
	if (len > FEED_ID_MAX)
		return FEED_REJECT_TOO_LONG;
	copy = feed_alloc(d, len * 3 + 1);
	if (plain_ascii(s, len)) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	} else if (text_sanitize(s, len, copy, len * 3 + 1) != len ||
	           memcmp(copy, s, len) != 0) {
		return FEED_REJECT_INVALID_UTF8;
	}
	*out = copy;
	return FEED_REJECT_NONE;
}

void
feed_emit(struct feed_decoder *d, const struct feed_event *ev)
{
	d->res->events++;
	d->stats.events[ev->type]++;
	d->sink(d->arg, ev);
}

void
feed_skip(struct feed_decoder *d, enum feed_reject why)
{
	if (d->res->skipped++ == 0)
		d->res->reason = why;
	d->call_skipped[why]++;
}

const cJSON *
feed_get(const cJSON *obj, const char *name)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

const char *
feed_get_str(const cJSON *obj, const char *name)
{
	const cJSON *v = feed_get(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *
feed_get_text(struct feed_decoder *d, const cJSON *obj, const char *name)
{
	const char *s = feed_get_str(obj, name);

	return s != NULL && s[0] != '\0' ? feed_text(d, s, strlen(s)) : NULL;
}

enum feed_reject
feed_get_ident(struct feed_decoder *d, const cJSON *obj, const char *name,
               const char **out)
{
	const cJSON *v = feed_get(obj, name);

	if (v == NULL || cJSON_IsNull(v))
		return FEED_REJECT_MISSING_FIELD;
	if (!cJSON_IsString(v))
		return FEED_REJECT_WRONG_TYPE;
	return feed_ident(d, v->valuestring, strlen(v->valuestring), out);
}

void
feed_each(struct feed_decoder *d, const cJSON *list,
          enum feed_reject (*one)(struct feed_decoder *d, const cJSON *item))
{
	const cJSON *item;

	cJSON_ArrayForEach(item, list)
	{
		struct feed_mark m = feed_mark(d);
		enum feed_reject why = one(d, item);

		if (why != FEED_REJECT_NONE)
			feed_skip(d, why);
		feed_release(d, m);
	}
}

int
feed_strcaseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static enum feed_format
detect(const cJSON *root)
{
	const cJSON *o = root;
	const char *type;

	if (cJSON_IsArray(root))
		o = root->child;
	if (!cJSON_IsObject(o))
		return FEED_FORMAT_AUTO;
	if (o == root && cJSON_IsString(feed_get(o, "t")))
		return FEED_FORMAT_NATIVE;
	if (feed_get(o, "service_request_id") != NULL ||
	    feed_get(o, "service_code") != NULL)
		return FEED_FORMAT_OPEN311;
	if (cJSON_IsObject(feed_get(o, "alert")) ||
	    (feed_get(o, "identifier") != NULL &&
	     (feed_get(o, "sender") != NULL || feed_get(o, "msgType") != NULL ||
	      feed_get(o, "messageType") != NULL)))
		return FEED_FORMAT_CAP;
	type = feed_get_str(o, "type");
	if (type != NULL || cJSON_IsArray(feed_get(o, "data")))
		return FEED_FORMAT_NGSI;
	return FEED_FORMAT_AUTO;
}

/* The native fast path is worth trying only on {"t": … */
static int
looks_native(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' ||
	                   buf[i] == '\t'))
		i++;
	return len - i >= 4 && memcmp(buf + i, "{\"t\"", 4) == 0;
}

static int
json_space_only(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
			return 0;
	return 1;
}

/*
 * A number outside strings that starts with 0 followed by a digit: "006",
 * "-01". Strings are skipped with their escapes.
 */
static int
has_leading_zero(const char *p, size_t len)
{
	const char *end = p + len;
	int prev_num = 0; /* the previous byte belongs to a number */

	while (p < end) {
		char c = *p;

		if (c == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
			prev_num = 0;
			continue;
		}
		if (!prev_num && c == '0' && p + 1 < end && p[1] >= '0' &&
		    p[1] <= '9')
			return 1;
		prev_num = (c >= '0' && c <= '9') || c == '.' || c == 'e' ||
		           c == 'E' || c == '+' || (c == '-' && prev_num);
		p++;
	}
	return 0;
}

static enum feed_reject
decode_tree(struct feed_decoder *d, const char *buf, size_t len,
            enum feed_format *fmt)
{
	const char *end = NULL;
	cJSON *root;
	enum feed_reject why;

	/*
	 * cJSON 1.7.15 may read one byte past the length it is given (seen by
	 * other projects' fuzzers; our fuzzers cannot see inside the system
	 * library), so it parses a copy with a NUL after it.
	 */
	if (len + 1 > d->copy_cap) {
		d->copy_cap = len + 1 > 4096 ? len + 1 : 4096;
		free(d->copy);
		d->copy = xmalloc(d->copy_cap);
	}
	memcpy(d->copy, buf, len);
	d->copy[len] = '\0';
	buf = d->copy;
	/* cJSON reads 006 as 6; JSON forbids it, and what a source meant by
	 * it (a code? octal?) is not ours to guess. */
	if (!d->lenient && has_leading_zero(buf, len))
		return FEED_REJECT_LEADING_ZERO;
	root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (root == NULL)
		return FEED_REJECT_INVALID_JSON;
	/* cJSON stops after one value; anything but space after it is junk. */
	if (end == NULL || !json_space_only(end, buf + len)) {
		cJSON_Delete(root);
		return FEED_REJECT_INVALID_JSON;
	}
	if (*fmt == FEED_FORMAT_AUTO)
		*fmt = detect(root);
	d->fmt = *fmt;
	d->notified_ms = 0;
	switch (*fmt) {
	case FEED_FORMAT_NATIVE:
		why = feed_native_tree(d, root);
		break;
	case FEED_FORMAT_NGSI:
		why = feed_ngsi_tree(d, root);
		break;
	case FEED_FORMAT_CAP:
		why = feed_cap_tree(d, root);
		break;
	case FEED_FORMAT_OPEN311:
		why = feed_open311_tree(d, root);
		break;
	default:
		why = FEED_REJECT_UNKNOWN_FORMAT;
		break;
	}
	cJSON_Delete(root);
	return why;
}

/*
 * A NUL, raw or written \u0000, would end a C string early: a title or an
 * identifier silently cut short. The message is refused whole instead. A
 * backslash outside a string is not JSON anyway, so every backslash starts
 * an escape: "\\u0000" is a backslash and the text u0000, not a NUL.
 */
static int
has_nul(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	if (memchr(buf, '\0', len) != NULL)
		return 1;
	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p >= 6 && p[1] == 'u' &&
		    memcmp(p + 2, "0000", 4) == 0)
			return 1;
		p += 2;
		if (p >= end)
			break;
	}
	return 0;
}

enum feed_status
feed_decode(struct feed_decoder *d, const char *buf, size_t len,
            enum feed_format hint, feed_sink_fn sink, void *arg,
            struct feed_result *res)
{
	enum feed_format fmt = hint;
	enum feed_reject why = FEED_REJECT_NONE;

	if (len > 0 && len <= d->max && buf != NULL && !has_nul(buf, len) &&
	    (hint == FEED_FORMAT_AUTO || hint == FEED_FORMAT_CAP ||
	     hint == FEED_FORMAT_OPEN311) &&
	    feed_looks_xml(buf, len)) {
		feed_xml_begin(d, hint);
		feed_xml_push(d, buf, len);
		return feed_xml_end(d, sink, arg, res);
	}
	feed_call_begin(d, sink, arg, res);
	if (len > d->max)
		why = FEED_REJECT_TOO_LARGE;
	else if (buf == NULL || len == 0)
		why = FEED_REJECT_INVALID_JSON;
	else if (has_nul(buf, len))
		why = FEED_REJECT_NUL;
	else if (!d->slow &&
	         (hint == FEED_FORMAT_AUTO || hint == FEED_FORMAT_NATIVE) &&
	         looks_native(buf, len) && feed_native_fast(d, buf, len)) {
		fmt = FEED_FORMAT_NATIVE;
		d->stats.fast++;
	} else
		why = decode_tree(d, buf, len, &fmt);
	return feed_call_end(d, why, fmt);
}

void
feed_call_begin(struct feed_decoder *d, feed_sink_fn sink, void *arg,
                struct feed_result *res)
{
	static struct feed_result local;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	d->res = res;
	d->sink = sink;
	d->arg = arg;
	d->cur = d->head;
	d->head->used = 0;
}

enum feed_status
feed_call_end(struct feed_decoder *d, enum feed_reject why,
              enum feed_format fmt)
{
	struct feed_result *res = d->res;

	res->format = fmt;
	if (why == FEED_REJECT_NONE && res->events == 0 && res->skipped > 0) {
		/* Every item was bad: the message as a whole is rejected. */
		why = res->reason;
	}
	if (why != FEED_REJECT_NONE && res->events == 0) {
		res->reason = why;
		res->skipped = 0;
		d->stats.rejected[why]++;
		memset(d->call_skipped, 0, sizeof d->call_skipped);
		return FEED_REJECTED;
	}
	d->stats.messages[fmt]++;
	d->stats.cleaned += res->cleaned;
	if (res->skipped == 0)
		return FEED_OK;
	for (int i = 0; i < FEED_REJECT_COUNT; i++) {
		d->stats.skipped[i] += d->call_skipped[i];
		d->call_skipped[i] = 0;
	}
	return FEED_PARTIAL;
}

int
feed_looks_xml(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	                   buf[i] == '\r'))
		i++;
	return i < len && buf[i] == '<';
}
