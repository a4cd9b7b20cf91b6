# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The console on a live feed (--feed): the typhoon simulator's tide at
# 金汇港 reaches the vitals pane straight from the feed (the database says
# alarm from the seed; the feed starts the tide low, then raises it through
# the alarm threshold), the status line shows the feed up; the simulator
# stops and the feed is marked down and its values stale; it comes back on
# the same port and the console reconnects and the values are live again.
# Also: the config file's "feed" line subscribes as --feed does.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

SIM_PIDS=()
feed_test_cleanup() {
	local p
	for p in "${SIM_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${SIM_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	screen_cleanup
}
trap feed_test_cleanup EXIT

# start_sim NAME ARGS...: feed-sim in the background on --port (0: any
# free one); sets SIM_URL and SIM_PID.
start_sim() {
	local name=$1 i
	shift
	"$CITYOPS" feed-sim "$@" >"$SCREEN_HOME/$name.url" 2>"$SCREEN_HOME/$name.log" &
	SIM_PID=$!
	SIM_PIDS+=("$SIM_PID")
	for i in $(seq 100); do
		SIM_URL=$(head -n1 "$SCREEN_HOME/$name.url" 2>/dev/null || true)
		[ -n "$SIM_URL" ] && return 0
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$SCREEN_HOME/$name.log" >&2
	fail "feed-sim $name did not start"
}
stop_sim() {
	kill "$SIM_PID" 2>/dev/null || true
	wait "$SIM_PID" 2>/dev/null || true
}

# About eleven scenario minutes a second: the tide crosses 4.6 m (alarm)
# some 13 s in and stays above it for about 7 s; a cycle is 33 s.
start=$(($(date +%s) * 1000))
sim_args=(--scenario typhoon --start "$start" --tick-ms 1000)
start_sim a --port 0 --rate 200 "${sim_args[@]}"
port=${SIM_URL##*:}
port=${port%%/*}

screen_start 160 48 -- -U super_city --feed "$SIM_URL"
wait_for 'feed ●1/1'
wait_for '馈送已连接'
# Only the 金汇港 tide in the vitals pane: Tab to it, filter.
keys Tab
keys /
type_text 金汇港
keys Enter
wait_for '生命体征 .*/金汇港'
# A value from the feed: below alarm (the seed left the database at 4.68 m,
# alarm), then the feed's rising tide into alarm.
wait_for '(ok 正常|!  预警) +金汇港潮位 .* m ' 40
wait_for '!! 告警 +金汇港潮位 .* 4\.[6-9][0-9]* m ' 40
# CAP warnings and hotline requests from the feed reach the event log.
wait_for '⇣(预警 CAP|12345)' 40

# The simulator goes away: the feed is marked down, its values go stale.
stop_sim
wait_for 'feed ✗ 0/1 断开' 20
wait_for '馈送断开'
wait_for '\?\? 失联 +金汇港潮位' 20
screen_has 'feed ✗ 0/1 断开 重连'

# Back on the same port (faster, to catch up from where the console left
# off): reconnected, and live again.
start_sim b --port "$port" --rate 3000 "${sim_args[@]}"
wait_for 'feed ●1/1' 40
wait_gone '\?\? 失联 +金汇港潮位' 40
wait_for '(ok 正常|!  预警|!! 告警) +金汇港潮位' 20
screen_quit
screen_stop

# The config file's feed line does the same as --feed.
mkdir -p "$SCREEN_HOME/config/cityops"
printf "feed none\nfeeds %s  # the simulator\n" "$SIM_URL" >"$SCREEN_HOME/config/cityops/config"
screen_start 120 36 -- -U super_city
wait_for 'feed ●1/1'
screen_quit
stop_sim
echo "ok: live feed values, down and stale, reconnect, config feed line"
