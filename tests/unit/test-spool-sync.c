/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The spool's group commit (spool-sync.h) on a real loop, a real thread
 * and real files: a sync reports durable only what was appended before
 * it began, never what came in while it ran; what came in goes with the
 * next sync, at once; a segment rotated (its descriptor closed) during a
 * sync does not break it; every record reported durable is replayed
 * whole after the spool is closed, in order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/ingest/spool-sync.h"
#include "cityops/ingest/spool.h"

struct seen {
	struct loop *loop;
	uint64_t calls[16];
	int n;
	uint64_t want;
	int timed_out;
};

static void
on_durable(void *arg, uint64_t upto)
{
	struct seen *s = arg;

	if (s->n < 16)
		s->calls[s->n] = upto;
	s->n++;
	if (upto >= s->want)
		loop_quit(s->loop);
}

static void
on_guard(void *arg)
{
	struct seen *s = arg;

	s->timed_out = 1;
	loop_quit(s->loop);
}

struct replayed {
	int n, bad;
	uint64_t last;
};

static void
on_replay(void *arg, enum spool_kind kind, const char *meta, size_t mlen,
          const char *body, size_t blen, uint64_t end)
{
	struct replayed *r = arg;
	char want[64];

	snprintf(want, sizeof want, "record %d", r->n);
	if (kind != SPOOL_MQTT || mlen != 5 || memcmp(meta, "a/b/c", 5) != 0 ||
	    blen < strlen(want) || memcmp(body, want, strlen(want)) != 0 ||
	    end <= r->last)
		r->bad++;
	r->last = end;
	r->n++;
}

static void
append(struct spool *sp, int no, size_t pad)
{
	char *body = xcalloc(1, pad + 64);
	int n = snprintf(body, 64, "record %d", no);

	memset(body + n, 'x', pad);
	CHECK(spool_append(sp, SPOOL_MQTT, "a/b/c", 5, body, n + pad) != 0);
	free(body);
}

static char *
temp_dir(void)
{
	char *t = xstrdup("/tmp/cityops-spool-sync-XXXXXX");

	CHECK(mkdtemp(t) != NULL);
	return t;
}

static void
remove_dir(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	CHECK(system(cmd) == 0);
	free(cmd);
}

/* Appends during a sync are not claimed by it; the next sync takes them. */
static void
test_group(void)
{
	char *dir = temp_dir();
	struct replayed r = {0};
	struct spool *sp = spool_open(dir, on_replay, &r);
	struct seen s = {0};
	struct spool_syncer *sy;
	struct loop_timer *guard;
	uint64_t first;
	int no = 0;

	CHECK(sp != NULL && r.n == 0);
	s.loop = loop_new();
	sy = spool_syncer_new(s.loop, sp, on_durable, &s);
	CHECK(sy != NULL);
	/* Nothing appended: nothing to sync. */
	spool_syncer_kick(sy);
	CHECK(!spool_syncer_busy(sy));
	for (; no < 100; no++)
		append(sp, no, (size_t)no * 7);
	first = spool_end(sp);
	spool_syncer_kick(sy);
	CHECK(spool_syncer_busy(sy));
	/* While it runs: more records, and a kick that must not start a
	 * second sync at once. */
	for (; no < 150; no++)
		append(sp, no, 3);
	spool_syncer_kick(sy);
	CHECK(spool_synced(sp) == 0);
	s.want = spool_end(sp);
	guard = loop_timer_new(s.loop, on_guard, &s);
	loop_timer_start(guard, 20000);
	loop_run(s.loop);
	CHECK(!s.timed_out);
	CHECK_INT(s.n, 2);
	CHECK(s.calls[0] == first);
	CHECK(s.calls[1] == s.want);
	CHECK(spool_synced(sp) == spool_end(sp));
	CHECK(spool_syncer_count(sy) == 2);
	loop_timer_free(&guard);
	spool_syncer_free(&sy);
	CHECK(sy == NULL);
	loop_free(&s.loop);
	spool_close(&sp);
	/* Every record is there, whole and in order. */
	sp = spool_open(dir, on_replay, &r);
	CHECK_INT(r.n, 150);
	CHECK_INT(r.bad, 0);
	spool_close(&sp);
	remove_dir(dir);
	free(dir);
}

/* A segment rotated while its sync runs: the sync still succeeds (it
 * holds its own descriptor) and the next covers the new segment. */
static void
test_rotate(void)
{
	char *dir = temp_dir();
	struct replayed r = {0};
	struct spool *sp = spool_open(dir, on_replay, &r);
	struct seen s = {0};
	struct spool_syncer *sy;
	struct loop_timer *guard;
	int no = 0;

	s.loop = loop_new();
	sy = spool_syncer_new(s.loop, sp, on_durable, &s);
	for (; no < 10; no++)
		append(sp, no, 100);
	spool_syncer_kick(sy);
	/* Past the segment size: a new segment, the old one closed. */
	for (; no < 30; no++)
		append(sp, no, 1u << 20);
	s.want = spool_end(sp);
	guard = loop_timer_new(s.loop, on_guard, &s);
	loop_timer_start(guard, 20000);
	loop_run(s.loop);
	CHECK(!s.timed_out);
	CHECK(s.n >= 1 && s.n <= 2);
	CHECK(spool_synced(sp) == spool_end(sp));
	loop_timer_free(&guard);
	spool_syncer_free(&sy);
	loop_free(&s.loop);
	spool_close(&sp);
	sp = spool_open(dir, on_replay, &r);
	CHECK_INT(r.n, 30);
	CHECK_INT(r.bad, 0);
	spool_close(&sp);
	remove_dir(dir);
	free(dir);
}

/* Freed with a sync running: it waits for it, and reports nothing. */
static void
test_free_running(void)
{
	char *dir = temp_dir();
	struct replayed r = {0};
	struct spool *sp = spool_open(dir, on_replay, &r);
	struct seen s = {0};
	struct spool_syncer *sy;

	s.loop = loop_new();
	sy = spool_syncer_new(s.loop, sp, on_durable, &s);
	append(sp, 0, 1000);
	spool_syncer_kick(sy);
	spool_syncer_free(&sy);
	CHECK_INT(s.n, 0);
	loop_free(&s.loop);
	spool_close(&sp);
	remove_dir(dir);
	free(dir);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    {"group", test_group},
	    {"rotate", test_rotate},
	    {"free-running", test_free_running},
	    {NULL, NULL},
	};
	return check_main(cases, argc, argv);
}
