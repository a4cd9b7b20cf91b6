/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A reader's position in the change log (include/cityops/desk/change-seq.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/change-seq.h"
#include "cityops/core/util.h"

/* Index of seq in the applied set, or where it would go. */
static int
applied_find(const struct change_seq *cs, int64_t seq, int *found)
{
	int lo = 0, hi = cs->napplied;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (cs->applied[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < cs->napplied && cs->applied[lo].seq == seq;
	return lo;
}

static void
applied_add(struct change_seq *cs, int at, int64_t seq, uint64_t tx)
{
	if (cs->napplied == cs->capapplied) {
		cs->capapplied = cs->capapplied ? cs->capapplied * 2 : 64;
		cs->applied = xrealloc(cs->applied, (size_t)cs->capapplied *
		                                        sizeof *cs->applied);
	}
	memmove(&cs->applied[at + 1], &cs->applied[at],
	        (size_t)(cs->napplied - at) * sizeof *cs->applied);
	cs->applied[at].seq = seq;
	cs->applied[at].tx = tx;
	cs->napplied++;
}

/* Drops what no later answer can bring again: tx before the horizon. */
static void
applied_prune(struct change_seq *cs, uint64_t horizon)
{
	int k = 0;

	for (int i = 0; i < cs->napplied; i++)
		if (cs->applied[i].tx >= horizon)
			cs->applied[k++] = cs->applied[i];
	cs->napplied = k;
}

int
change_seq_ask(const struct change_seq *cs, int64_t *seq, uint64_t *horizon)
{
	*seq = cs->last_seq;
	*horizon = cs->horizon;
	return cs->has_pos;
}

/* New: not applied, and after the position asked from. */
static void
mark_fresh(struct change_seq *cs, const struct change_seq_row *rows, int n,
           int *fresh)
{
	int64_t after = cs->last_seq;
	uint64_t horizon = cs->horizon;

	for (int i = 0; i < n; i++) {
		int found, at = applied_find(cs, rows[i].seq, &found);

		fresh[i] =
		    !found && (rows[i].seq > after || rows[i].tx >= horizon);
		if (!fresh[i])
			continue;
		applied_add(cs, at, rows[i].seq, rows[i].tx);
		if (rows[i].seq > cs->last_seq)
			cs->last_seq = rows[i].seq;
	}
}

enum change_seq_verdict
change_seq_merge(struct change_seq *cs, int asked_has_pos, int64_t asked_seq,
                 uint64_t asked_horizon, uint64_t horizon, long long total,
                 const struct change_seq_row *rows, int n, int *fresh,
                 long long *missed)
{
	enum change_seq_verdict v = CHANGE_SEQ_OK;

	*missed = 0;
	for (int i = 0; i < n; i++)
		fresh[i] = 0;
	if (asked_has_pos != cs->has_pos ||
	    (asked_has_pos &&
	     (asked_seq != cs->last_seq || asked_horizon != cs->horizon)))
		return CHANGE_SEQ_STALE;
	if (!cs->has_pos) {
		/* The start: history is not replayed. */
		for (int i = 0; i < n; i++)
			if (rows[i].seq > cs->last_seq)
				cs->last_seq = rows[i].seq;
		cs->horizon = horizon;
		cs->has_pos = 1;
		return CHANGE_SEQ_OK;
	}
	if (horizon < cs->horizon)
		return CHANGE_SEQ_OK; /* a server behind: nothing new */
	if (total > n) {
		*missed = total - n;
		v = CHANGE_SEQ_GAP;
	}
	mark_fresh(cs, rows, n, fresh);
	applied_prune(cs, horizon);
	cs->horizon = horizon;
	return v;
}

void
change_seq_free(struct change_seq *cs)
{
	free(cs->applied);
	memset(cs, 0, sizeof *cs);
}
