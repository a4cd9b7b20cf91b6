#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The console's status line shows ingest's sources (docs/ingest.md,
# "Health"): the real ingest polls two CAP sources served by the real
# feed-sim over HTTP, one that works and one that fails (a path feed-sim
# answers 404); ingest reports their health to the database and the
# console, a separate process, shows "src ✗ 1/2 cap1" and the failure in
# its event log. Restarted with only the working source, the line becomes
# "src ●1/1" and the event log says the source is well.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

PIDS=()
sources_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	screen_cleanup
}
trap sources_cleanup EXIT

start=$(($(date +%s) * 1000))
"$CITYOPS" feed-sim --port 0 --http --scenario typhoon --format cap --start "$start" \
	--tick-ms 1000 --count 400 --rate 50 >"$SCREEN_HOME/sim.url" 2>"$SCREEN_HOME/sim.log" &
PIDS+=($!)
for _ in $(seq 100); do
	SIM_URL=$(head -n1 "$SCREEN_HOME/sim.url" 2>/dev/null || true)
	[ -n "$SIM_URL" ] && break
	sleep 0.1
done
[ -n "$SIM_URL" ] || fail "feed-sim did not start: $(cat "$SCREEN_HOME/sim.log")"

ingest() {
	"$CITYOPS" ingest -U cityops_ingest "$@" --poll-min 1 --poll-interval 1 \
		--health-s 1 --name screen-test --state "$SCREEN_HOME/state" \
		>>"$SCREEN_HOME/ingest.log" 2>&1 &
	ING=$!
	PIDS+=("$ING")
}

screen_start 200 40 -- -U super_city
wait_for 'DB ●'
ingest --cap "${SIM_URL}cap/index.atom" --cap "${SIM_URL}cap/no-such-index.atom"
wait_for 'src ✗ 1/2 cap1' 60
wait_for '数据源故障: cap1' 60

kill -TERM "$ING"
wait "$ING" || fail "ingest did not stop cleanly: $(tail -5 "$SCREEN_HOME/ingest.log")"
ingest --cap "${SIM_URL}cap/index.atom"
# The next vitals/sources refresh (15 s) or the change record brings it.
wait_for 'src ●1/1' 60
screen_quit
echo "ok: the status line shows ingest's failing source, then all well"
