/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The native decoder, run twice on every input: with the fast path and
 * with the cJSON path only. Both must give the same status, counts and
 * events (compared as their descriptions), and every string must be clean.
 */
#include "feed-fuzz.h"

struct trace {
	char buf[1 << 16];
	size_t len;
};

static void
sink(void *arg, const struct feed_event *ev)
{
	struct trace *t = arg;
	char line[1 << 14];
	size_t n = feed_event_describe(ev, line, sizeof line);

	n = fuzz_check_clean(line, n >= sizeof line ? strlen(line) : n);
	if (t->len + n + 1 < sizeof t->buf) {
		memcpy(t->buf + t->len, line, n);
		t->len += n;
		t->buf[t->len++] = '\n';
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct feed_decoder *fast, *slow;
	static struct trace a, b;
	struct feed_result ra, rb;
	enum feed_status sa, sb;

	if (fast == NULL) {
		fast = feed_decoder_new();
		slow = feed_decoder_new();
		feed_decoder_set_slow(slow, 1);
	}
	a.len = b.len = 0;
	sa = feed_decode(fast, (const char *)data, size, FEED_FORMAT_NATIVE,
	                 sink, &a, &ra);
	sb = feed_decode(slow, (const char *)data, size, FEED_FORMAT_NATIVE,
	                 sink, &b, &rb);
	if (sa != sb || ra.events != rb.events || ra.skipped != rb.skipped ||
	    ra.reason != rb.reason || ra.cleaned != rb.cleaned ||
	    a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0)
		abort();
	feed_decode(fast, (const char *)data, size, FEED_FORMAT_AUTO, sink, &a,
	            NULL);
	return 0;
}
