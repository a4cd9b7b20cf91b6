#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A batch far larger than a socket buffer (tens of thousands of readings in
# one statement, several MB) goes through the asynchronous database layer:
# the simulator floods, ingest batches 20,000 readings a statement, and
# every reading arrives once. This once stalled after the first chunk.
. "$(dirname "$0")/feed-lib"
scratch_db
trap 'feed_cleanup; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

n=60000
# Ten days ago: in the past (a reading from the future is refused,
# issue 10) and clear of the seeded 24 h of history.
start=$((($(date +%s) - 864000) * 1000))
args=(--scenario bench --start "$start" --tick-ms 1000 --count $n)
want=$("$CITYOPS" feed-sim "${args[@]}" --format native --dump |
	grep -o '"t":"r"' | wc -l)
[ "$want" -gt 20000 ] || fail "the bench scenario gave only $want readings"
start_sim sim "${args[@]}" --format native --rate 0
"$CITYOPS" ingest -U cityops_ingest --feed "$SIM_URL" \
	--state "$FEED_TMP/state" --batch 20000 --flush-ms 5000 \
	>"$FEED_TMP/ingest.log" 2>&1 &
FEED_PIDS+=("$!")
stored() {
	psql -qAtc "select count(*) from cityops.reading where at >= to_timestamp($start / 1000.0)
		and at < to_timestamp($start / 1000.0) + interval '2 days'"
}
have_all() { [ "$(stored)" -ge "$want" ]; }
wait_for 300 have_all ||
	fail "stored $(stored) of $want readings; log: $(tail -5 "$FEED_TMP/ingest.log")"
[ "$(stored)" -eq "$want" ] || fail "stored $(stored), want exactly $want"
echo "1 passed, 0 failed"
