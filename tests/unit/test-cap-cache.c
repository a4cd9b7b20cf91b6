/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A CAP source's records (cap-cache.h): keyed by (sender, identifier,
 * sent), lines that read back as written (escapes included), older bare
 * URL lines, and compaction by time and by what the index lists.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/feed/cap-cache.h"

static struct feed_cap
alert(const char *sender, const char *id, int64_t sent, int64_t expires,
      struct feed_cap_info *info)
{
	struct feed_cap c;

	memset(&c, 0, sizeof c);
	memset(info, 0, sizeof *info);
	info->expires_ms = expires;
	c.sender = sender;
	c.identifier = id;
	c.sent_ms = sent;
	c.ninfo = 1;
	c.info = info;
	return c;
}

static void
add(struct cap_cache *cc, const char *url, const struct feed_cap *c)
{
	char *line = cap_cache_line(url, c);

	CHECK(cap_cache_add(cc, line) == 1);
	CHECK(cap_cache_add(cc, line) == 0);
	free(line);
}

static int
has(struct cap_cache *cc, const struct feed_cap *c)
{
	char *t = cap_cache_triple(c);
	int in = cap_cache_has_triple(cc, t);

	free(t);
	return in;
}

static void
test_senders_apart(void)
{
	struct cap_cache *cc = cap_cache_new(0);
	struct feed_cap_info i1, i2, i3;
	struct feed_cap a = alert("a@x", "SAME", 1000, 0, &i1);
	struct feed_cap b = alert("b@x", "SAME", 1000, 0, &i2);
	struct feed_cap u = alert("a@x", "SAME", 2000, 0, &i3);

	add(cc, "http://h/a.xml", &a);
	CHECK(has(cc, &a));
	CHECK(!has(cc, &b));
	CHECK(!has(cc, &u));
	CHECK(cap_cache_has_url(cc, "http://h/a.xml"));
	CHECK(!cap_cache_has_url(cc, "http://h/b.xml"));
	CHECK_INT(cap_cache_count(cc), 1);
	cap_cache_free(&cc);
	CHECK(cc == NULL);
}

static void
collect(void *arg, const char *line)
{
	struct cap_cache *to = arg;

	CHECK(cap_cache_add(to, line) == 1);
}

static void
test_escapes_read_back(void)
{
	struct cap_cache *cc = cap_cache_new(0), *again = cap_cache_new(0);
	struct feed_cap_info i;
	struct feed_cap a = alert("s\tx%09", "id\nnl", 5, 9, &i);
	char *line = cap_cache_line("http://h/a b%.xml", &a);

	CHECK(strchr(line, '\n') == NULL);
	CHECK_STR(line, "cap2\t9\ts%09x%2509\tid%0Anl\t5\thttp://h/a b%25.xml");
	CHECK(cap_cache_add(cc, line) == 1);
	cap_cache_each(cc, collect, again);
	CHECK(has(again, &a));
	CHECK(cap_cache_has_url(again, "http://h/a b%25.xml"));
	free(line);
	cap_cache_free(&cc);
	cap_cache_free(&again);
}

static void
test_compact(void)
{
	struct cap_cache *cc = cap_cache_new(100);
	struct keyset seen = {0};
	struct feed_cap_info i1, i2, i3, i4;
	struct feed_cap live = alert("s", "live", 1000, 5000, &i1);
	struct feed_cap gone = alert("s", "gone", 1000, 2000, &i2);
	struct feed_cap listed = alert("s", "listed", 1000, 2000, &i3);
	struct feed_cap noexp = alert("s", "noexp", 1000, 0, &i4);
	char *refused = cap_cache_line("http://h/bad.xml", NULL);

	add(cc, "http://h/live.xml", &live);
	add(cc, "http://h/gone.xml", &gone);
	add(cc, "http://h/listed.xml", &listed);
	add(cc, "http://h/noexp.xml", &noexp);
	CHECK(cap_cache_add(cc, refused) == 1);
	CHECK(cap_cache_add(cc, "http://h/legacy.xml") == 1);
	keyset_add(&seen, "http://h/listed.xml");
	/* Before anything's time: only the refused and legacy lines. */
	CHECK_INT(cap_cache_compact(cc, &seen, 1050), 2);
	CHECK_INT(cap_cache_count(cc), 4);
	/* sent 1000 + retention 100 passed; gone's expiry passed. */
	CHECK_INT(cap_cache_compact(cc, &seen, 3000), 2);
	CHECK_INT(cap_cache_count(cc), 2);
	CHECK(has(cc, &live) && has(cc, &listed));
	CHECK(!has(cc, &gone) && !has(cc, &noexp));
	CHECK(!cap_cache_has_url(cc, "http://h/gone.xml"));
	CHECK(!cap_cache_has_url(cc, "http://h/legacy.xml"));
	CHECK_INT(cap_cache_compact(cc, &seen, 3000), 0);
	free(refused);
	keyset_free(&seen);
	cap_cache_free(&cc);
}

static void
test_malformed_lines(void)
{
	struct cap_cache *cc = cap_cache_new(0);
	struct keyset seen = {0};

	/* Short tagged lines and odd bytes are bare URLs: kept, never a
	 * crash; dropped at compaction unless listed. */
	CHECK(cap_cache_add(cc, "cap2\t") == 1);
	CHECK(cap_cache_add(cc, "cap2\tx\ty\tz") == 1);
	CHECK(cap_cache_add(cc, "cap2\tnot\t\t\tnumbers\thttp://h/x") == 1);
	CHECK(cap_cache_has_url(cc, "http://h/x"));
	keyset_add(&seen, "cap2\tx\ty\tz");
	CHECK_INT(cap_cache_compact(cc, &seen, 1), 2);
	CHECK_INT(cap_cache_count(cc), 1);
	keyset_free(&seen);
	cap_cache_free(&cc);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(test_senders_apart),
	    TEST(test_escapes_read_back),
	    TEST(test_compact),
	    TEST(test_malformed_lines),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
