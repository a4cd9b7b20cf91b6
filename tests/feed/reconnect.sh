#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Reconnecting: (1) a server that accepts TCP and never answers the
# handshake — the watchdog gives up on each attempt and the client keeps
# retrying with backoff, without piling up; (2) a server that goes away and
# comes back on the same port — the client reconnects and resumes the
# stream at the next position: no gap, no repeat.
. "$(dirname "$0")/feed-lib"
trap feed_cleanup EXIT

# (1) Mute server.
start_sim mute --mute
out=$("$CITYOPS" feed-watch --health --json --handshake-ms 400 --backoff-ms 100 \
	--seconds 4 "$SIM_URL" 2>"$FEED_TMP/mute.log") || fail "feed-watch failed on a mute server"
fails=$(printf '%s\n' "$out" | grep -c '"link":"waiting"' || true)
[ "$fails" -ge 3 ] || fail "expected repeated retries against a mute server, got $fails:
$out"
expect_in "$out" 'no handshake answer within 400 ms|closed before the handshake'
expect_not_in "$out" '"link":"up"'
kill "$SIM_PID"

# (2) A server that goes away and comes back.
start=$(($(date +%s) * 1000))
args=(--scenario typhoon --rate 400 --start "$start" --tick-ms 1000)
# --hold: the stream starts when feed-watch connects, so position 200 comes
# however slowly it starts (under load and sanitizers it once connected past
# 200 and the wait below timed out).
start_sim a "${args[@]}" --hold
port=${SIM_URL##*:}
port=${port%%/*}
"$CITYOPS" feed-watch --json --health --backoff-ms 100 --seconds 40 --count 2500 \
	"$SIM_URL" >"$FEED_TMP/w.json" 2>"$FEED_TMP/w.log" &
watch=$!
FEED_PIDS+=("$watch")
wait_for 10 grep -q '"pos":200,' "$FEED_TMP/w.json" || fail "no stream before the outage"
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
wait_for 10 grep -q '"link":"waiting"' "$FEED_TMP/w.json" || fail "outage not noticed"
sleep 1 # a few failed attempts while the server is away
SIM_PORT=$port start_sim b "${args[@]}"
wait "$watch" || fail "feed-watch did not get 2500 messages after the server came back: $(tail -3 "$FEED_TMP/w.json")"
ups=$(grep -c '"link":"up"' "$FEED_TMP/w.json" || true)
[ "$ups" -ge 2 ] || fail "expected two connections, saw $ups"
# Positions: contiguous from the first numbered one to the last.
grep -o '"pos":[0-9]*' "$FEED_TMP/w.json" | cut -d: -f2 >"$FEED_TMP/pos"
first=$(head -n1 "$FEED_TMP/pos")
last=$(tail -n1 "$FEED_TMP/pos")
n=$(wc -l <"$FEED_TMP/pos")
[ $((last - first + 1)) -eq "$n" ] || fail "positions $first..$last but $n messages: a gap or a repeat"
sort -n -c "$FEED_TMP/pos" || fail "positions out of order"
echo "ok: mute server retried $fails times; resumed over an outage, $n positions contiguous"
