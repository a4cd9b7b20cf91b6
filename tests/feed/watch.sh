#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Simulator → feed-watch (the console's feed side, headless): every message
# of a finite stream arrives in order and decodes as the dump says; broken
# messages are counted by reason and nothing else is lost; an indicator is
# marked stale once its feed stops, and fresh again when it resumes.
. "$(dirname "$0")/feed-lib"
trap feed_cleanup EXIT
[ -n "${FEED_KEEP:-}" ] && trap "echo kept \$FEED_TMP" EXIT

start=$(($(date +%s) * 1000))
n=3000
args=(--scenario typhoon --format mix --broken 4 --start "$start" --tick-ms 1000)
"$CITYOPS" feed-sim "${args[@]}" --dump --count $n >"$FEED_TMP/dump"
[ "$(wc -l <"$FEED_TMP/dump")" -eq $n ] || fail "dump is not $n lines"

# What the dump decodes to, and what arrives over the websocket.
"$CITYOPS" feed-watch --json --file "$FEED_TMP/dump" >"$FEED_TMP/want.json"
start_sim sim "${args[@]}" --rate 0 --count $n
"$CITYOPS" feed-watch --json --count $((n + 1)) --seconds 60 "$SIM_URL?from=0" \
	>"$FEED_TMP/got.json" || fail "feed-watch did not get $n messages"

# Same readings (key, value, time) in the same order.
sel='"type":"reading"'
grep "$sel" "$FEED_TMP/want.json" | sed 's/.*"key":\([^,]*\),"value":\([^,]*\),"ts":\([0-9]*\).*/\1 \2 \3/' >"$FEED_TMP/want.r"
grep "$sel" "$FEED_TMP/got.json" | sed 's/.*"key":\([^,]*\),"value":\([^,]*\),"ts":\([0-9]*\).*/\1 \2 \3/' >"$FEED_TMP/got.r"
[ -s "$FEED_TMP/want.r" ] || fail "no readings in the dump"
diff "$FEED_TMP/want.r" "$FEED_TMP/got.r" >/dev/null || fail "readings differ: $(diff "$FEED_TMP/want.r" "$FEED_TMP/got.r" | head -5)"
# NGSI-LD readings were in the mix, and positions were numbered.
grep -q '"format":"ngsi"' "$FEED_TMP/got.json" || fail "no NGSI-LD readings"
grep -q "\"pos\":$((n - 1))," "$FEED_TMP/got.json" || fail "last position not seen"

# Broken messages: the same rejects on both sides, by reason.
want_rej=$(grep -c '"rejected":"' "$FEED_TMP/want.json" || true)
got_rej=$(grep -c '"rejected":"' "$FEED_TMP/got.json" || true)
[ "$want_rej" -gt 0 ] || fail "the broken mode made nothing to reject"
[ "$want_rej" -eq "$got_rej" ] || fail "rejects: dump $want_rej, network $got_rej"
summary=$(tail -n1 "$FEED_TMP/got.json")
expect_in "$summary" '"invalid_json":[1-9]'
expect_in "$summary" '"invalid_utf8":[1-9]'
# Escape sequences and bidi overrides never survive into an event.
if grep -q $'\e\|\u202e' "$FEED_TMP/got.json"; then fail "control characters leaked"; fi

# Stale marking: a live feed, stopped; its indicators go stale.
start_sim live --scenario typhoon --rate 50
"$CITYOPS" feed-watch --json --stale-ms 700 --health --seconds 30 --backoff-ms 200 \
	"$SIM_URL" >"$FEED_TMP/stale.json" 2>"$FEED_TMP/stale.log" &
watch=$!
FEED_PIDS+=("$watch")
wait_for 10 grep -q '"key":"fx.tide.jinhui"' "$FEED_TMP/stale.json" || fail "no live readings"
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
wait_for 10 grep -q '"stale":"fx.tide.jinhui"' "$FEED_TMP/stale.json" ||
	fail "fx.tide.jinhui not marked stale: $(tail -3 "$FEED_TMP/stale.json")"
grep -q '"link":"waiting"' "$FEED_TMP/stale.json" || fail "link down not reported"
kill "$watch"
echo "ok: $n messages, $got_rej rejected alike, stale marking"
