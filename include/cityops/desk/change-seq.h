/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A reader's position in the change log (cityops.changes_since): which
 * changes of an answer are new, so each change is applied exactly once
 * although sequence order is not commit order, answers overlap, and a
 * reconnect (to the same server or a promoted standby) asks again.
 *
 * The position is the highest sequence applied, the horizon of the last
 * answer (every transaction older has ended) and the sequences applied
 * whose transaction is at or past that horizon: those are the ones a
 * later answer can bring again. Pure: no database, no clock.
 */
#ifndef CITYOPS_DESK_CHANGE_SEQ_H
#define CITYOPS_DESK_CHANGE_SEQ_H

#include <stdint.h>

struct change_seq {
	int has_pos; /* 0 until the first answer */
	int64_t last_seq;
	uint64_t horizon;
	struct change_seq_applied {
		int64_t seq;
		uint64_t tx;
	} * applied; /* sorted by seq */
	int napplied, capapplied;
};

/* One row of an answer: its sequence and writing transaction. */
struct change_seq_row {
	int64_t seq;
	uint64_t tx;
};

enum change_seq_verdict {
	CHANGE_SEQ_STALE = -1, /* asked from another position: ignore it */
	CHANGE_SEQ_OK = 0,     /* the rows marked new are to be applied */
	CHANGE_SEQ_GAP = 1,    /* more matched than came: resync in full */
};

/*
 * Merges an answer of changes_since(after, horizon) asked from the
 * position (asked_has_pos, asked_seq, asked_horizon) — the values
 * change_seq_ask gave. rows (oldest first, n of them; total matched on
 * the server) get fresh[i] = 1 when new, 0 when applied before. The
 * first answer (asked without a position) only sets the position: no
 * row of history is new. The horizon never goes back (an answer from a
 * server behind the last one brings nothing new). *missed is how many
 * matching rows did not come (total - n) when the verdict is GAP.
 */
enum change_seq_verdict change_seq_merge(struct change_seq *cs,
                                         int asked_has_pos, int64_t asked_seq,
                                         uint64_t asked_horizon,
                                         uint64_t horizon, long long total,
                                         const struct change_seq_row *rows,
                                         int n, int *fresh, long long *missed);

/* The position to ask from: 0 when there is none yet. */
int change_seq_ask(const struct change_seq *cs, int64_t *seq,
                   uint64_t *horizon);

void change_seq_free(struct change_seq *cs);

#endif
