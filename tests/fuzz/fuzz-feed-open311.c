/*
 * The open311 decoder on arbitrary bytes: no crash, no leak, and every string
 * in every event valid UTF-8 without controls (checked on the event's
 * description, which quotes every string field).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed.h"
#include "cityops/text.h"

static void
sink(void *arg, const struct feed_event *ev)
{
	static char line[1 << 16];
	size_t n = feed_event_describe(ev, line, sizeof line);

	(void)arg;
	if (n >= sizeof line)
		n = sizeof line - 1;
	/* A cut description may end inside a character: check before it. */
	while (n > 0 && ((unsigned char)line[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0 && (unsigned char)line[n - 1] >= 0xc0)
		n--;
	if (!text_utf8_valid(line, n))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct feed_decoder *d;
	int64_t ms;

	if (d == NULL)
		d = feed_decoder_new();
	feed_decode(d, (const char *)data, size, FEED_FORMAT_OPEN311, sink,
	            NULL, NULL);
	feed_decode(d, (const char *)data, size, FEED_FORMAT_AUTO, sink, NULL,
	            NULL);
	/* The time parser is shared by all three; give it raw bytes too. */
	if (feed_parse_time((const char *)data, size, 480, &ms) == 0 &&
	    (ms <= 0 || ms > 253402300799999LL))
		abort();
	return 0;
}
