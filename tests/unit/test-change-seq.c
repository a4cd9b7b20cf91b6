/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The reader's position in the change log (change-seq.h): each change
 * applied once across overlapping answers, transactions that commit out
 * of sequence order, answers asked again after a reconnect, a server
 * behind the last one, a gap too large, and late answers.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cityops/desk/change-seq.h"

#define MAXR 16

/* Asks from the current position and merges an answer; returns the
 * verdict, the fresh flags in fresh[]. */
static enum change_seq_verdict
answer(struct change_seq *cs, uint64_t horizon, long long total,
       const struct change_seq_row *rows, int n, int *fresh)
{
	int64_t seq;
	uint64_t hz;
	long long missed;
	int has = change_seq_ask(cs, &seq, &hz);

	return change_seq_merge(cs, has, seq, hz, horizon, total, rows, n,
	                        fresh, &missed);
}

static int
nfresh(const int *fresh, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += fresh[i];
	return k;
}

/* The start: the head sets the position; history is not replayed. */
static void
test_start(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {10, 0};
	int fresh[MAXR];

	CHECK_INT(answer(&cs, 100, 0, &head, 1, fresh), CHANGE_SEQ_OK);
	CHECK_INT(fresh[0], 0);
	CHECK_INT(cs.has_pos, 1);
	CHECK_INT(cs.last_seq, 10);
	CHECK_INT((long long)cs.horizon, 100);
	change_seq_free(&cs);
}

/* Rows after the position are new once; the overlap brings them again
 * (their tx is at or past the horizon) and they are skipped. */
static void
test_overlap_once(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {10, 0};
	struct change_seq_row a[] = {{11, 100}, {12, 101}};
	struct change_seq_row b[] = {{11, 100}, {12, 101}, {13, 102}};
	int fresh[MAXR];

	answer(&cs, 100, 0, &head, 1, fresh);
	CHECK_INT(answer(&cs, 100, 2, a, 2, fresh), CHANGE_SEQ_OK);
	CHECK_INT(nfresh(fresh, 2), 2);
	CHECK_INT(cs.last_seq, 12);
	CHECK_INT(answer(&cs, 100, 3, b, 3, fresh), CHANGE_SEQ_OK);
	CHECK_INT(fresh[0], 0);
	CHECK_INT(fresh[1], 0);
	CHECK_INT(fresh[2], 1);
	CHECK_INT(cs.last_seq, 13);
	change_seq_free(&cs);
}

/* Sequence order is not commit order: seq 13 (tx 200) commits after
 * seq 14 (tx 201) was read; the horizon brings it, and it is new. */
static void
test_late_commit(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {12, 0};
	struct change_seq_row a[] = {{14, 201}};
	struct change_seq_row b[] = {{13, 200}, {14, 201}, {15, 202}};
	int fresh[MAXR];

	answer(&cs, 200, 0, &head, 1, fresh);
	/* tx 200 still runs: the horizon stays at 200. */
	CHECK_INT(answer(&cs, 200, 1, a, 1, fresh), CHANGE_SEQ_OK);
	CHECK_INT(fresh[0], 1);
	CHECK_INT(cs.last_seq, 14);
	CHECK_INT(answer(&cs, 203, 3, b, 3, fresh), CHANGE_SEQ_OK);
	CHECK_INT(fresh[0], 1); /* the late one, below last_seq */
	CHECK_INT(fresh[1], 0);
	CHECK_INT(fresh[2], 1);
	CHECK_INT(cs.last_seq, 15);
	/* Everything is older than the horizon now: nothing kept. */
	CHECK_INT(cs.napplied, 0);
	change_seq_free(&cs);
}

/* The link died with an answer in flight; after the reconnect (to a
 * promoted standby) the same position is asked again: the rows come
 * again with more, each applied once. */
static void
test_reconnect_asks_again(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {20, 0};
	struct change_seq_row a[] = {{21, 300}, {22, 300}};
	struct change_seq_row b[] = {
	    {21, 300}, {22, 300}, {23, 305}, {24, 306}};
	int fresh[MAXR], total = 0;

	answer(&cs, 300, 0, &head, 1, fresh);
	answer(&cs, 300, 2, a, 2, fresh);
	total += nfresh(fresh, 2);
	answer(&cs, 301, 4, b, 4, fresh);
	total += nfresh(fresh, 4);
	CHECK_INT(total, 4);
	CHECK_INT(fresh[0] + fresh[1], 0);
	change_seq_free(&cs);
}

/* An answer asked from an older position (a late or repeated answer)
 * changes nothing. */
static void
test_stale(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {5, 0};
	struct change_seq_row a[] = {{6, 50}};
	struct change_seq_row b[] = {{6, 50}, {7, 51}};
	int fresh[MAXR];
	long long missed;

	answer(&cs, 50, 0, &head, 1, fresh);
	answer(&cs, 50, 1, a, 1, fresh);
	/* b was asked from (5, 50), before a was applied. */
	CHECK_INT(change_seq_merge(&cs, 1, 5, 50, 52, 2, b, 2, fresh, &missed),
	          CHANGE_SEQ_STALE);
	CHECK_INT(nfresh(fresh, 2), 0);
	CHECK_INT(cs.last_seq, 6);
	CHECK_INT((long long)cs.horizon, 50);
	/* Nor does one asked without a position once there is one. */
	CHECK_INT(change_seq_merge(&cs, 0, 0, 0, 52, 2, b, 2, fresh, &missed),
	          CHANGE_SEQ_STALE);
	change_seq_free(&cs);
}

/* A server behind the last one (its horizon is older): nothing new, the
 * position stays, and the rows come again from the right server. */
static void
test_server_behind(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {30, 0};
	struct change_seq_row a[] = {{31, 400}};
	int fresh[MAXR];

	answer(&cs, 400, 0, &head, 1, fresh);
	CHECK_INT(answer(&cs, 390, 1, a, 1, fresh), CHANGE_SEQ_OK);
	CHECK_INT(fresh[0], 0);
	CHECK_INT(cs.last_seq, 30);
	CHECK_INT((long long)cs.horizon, 400);
	CHECK_INT(answer(&cs, 401, 1, a, 1, fresh), CHANGE_SEQ_OK);
	CHECK_INT(fresh[0], 1);
	change_seq_free(&cs);
}

/* More matched than came back: a resync in full, and the rows that did
 * come (the newest) are applied. */
static void
test_gap(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {1, 0};
	struct change_seq_row a[] = {{900, 500}, {901, 501}};
	int fresh[MAXR];
	long long missed;
	int64_t seq;
	uint64_t hz;

	answer(&cs, 500, 0, &head, 1, fresh);
	change_seq_ask(&cs, &seq, &hz);
	CHECK_INT(
	    change_seq_merge(&cs, 1, seq, hz, 502, 899, a, 2, fresh, &missed),
	    CHANGE_SEQ_GAP);
	CHECK_INT(missed, 897);
	CHECK_INT(nfresh(fresh, 2), 2);
	CHECK_INT(cs.last_seq, 901);
	change_seq_free(&cs);
}

/* One answer holding a seq twice applies it once. */
static void
test_duplicate_in_answer(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {1, 0};
	struct change_seq_row a[] = {{2, 10}, {2, 10}, {3, 11}};
	int fresh[MAXR];

	answer(&cs, 10, 0, &head, 1, fresh);
	answer(&cs, 10, 3, a, 3, fresh);
	CHECK_INT(fresh[0], 1);
	CHECK_INT(fresh[1], 0);
	CHECK_INT(fresh[2], 1);
	change_seq_free(&cs);
}

/* A long run of interleaved commits: every seq applied exactly once. */
static void
test_shuffled_commits(void)
{
	struct change_seq cs = {0};
	struct change_seq_row head = {0, 0};
	int applied[200] = {0}, fresh[MAXR];
	/* Transaction t (seq t) commits at step (t * 7) % 200; the horizon at
	 * a step is the smallest tx not yet committed. */
	int commit_step[200];

	for (int t = 0; t < 200; t++)
		commit_step[t] = (t * 7) % 200;
	answer(&cs, 1000, 0, &head, 1, fresh);
	for (int step = 0; step < 200; step += 5) {
		struct change_seq_row rows[MAXR * 20];
		int n = 0;
		uint64_t hz = 1000 + 200;
		int64_t seq;
		uint64_t asked;

		change_seq_ask(&cs, &seq, &asked);
		for (int t = 0; t < 200; t++) {
			if (commit_step[t] > step) {
				if (1000u + (unsigned)t < hz)
					hz = 1000u + (unsigned)t;
				continue;
			}
			if (t + 1 > seq || 1000u + (unsigned)t >= asked)
				rows[n++] =
				    (struct change_seq_row){t + 1, 1000u + t};
		}
		{
			int fr[MAXR * 20];
			long long missed;
			CHECK_INT(change_seq_merge(&cs, 1, seq, asked, hz, n,
			                           rows, n, fr, &missed),
			          CHANGE_SEQ_OK);
			for (int i = 0; i < n; i++)
				applied[rows[i].seq - 1] += fr[i];
		}
	}
	for (int t = 0; t < 200; t++)
		if (commit_step[t] < 200 && commit_step[t] <= 195)
			CHECK_INT(applied[t], 1);
	change_seq_free(&cs);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(test_start),
	    TEST(test_overlap_once),
	    TEST(test_late_commit),
	    TEST(test_reconnect_asks_again),
	    TEST(test_stale),
	    TEST(test_server_behind),
	    TEST(test_gap),
	    TEST(test_duplicate_in_answer),
	    TEST(test_shuffled_commits),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
