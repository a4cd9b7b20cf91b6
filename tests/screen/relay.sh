# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A console started with --relay takes its change records from cityops
# relay: it holds one database connection (no listener, no LISTEN) and
# still shows, without polling, an incident another session raises in its
# scope.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"
relay_out=$(mktemp)
relay_pid=
stop_relay() {
	[ -z "$relay_pid" ] || { kill -9 "$relay_pid"; wait "$relay_pid"; } 2>/dev/null || true
	rm -f "$relay_out"
	screen_cleanup
}
trap stop_relay EXIT

"$CITYOPS" -U cityops_relay relay --port 0 --log "$SCREEN_HOME/relay.log" >"$relay_out" &
relay_pid=$!
end=$((SECONDS + 60))
until [ -s "$relay_out" ]; do
	[ $SECONDS -le $end ] || fail "the relay did not start: $(cat "$SCREEN_HOME/relay.log")"
	sleep 0.1
done
url=$(head -1 "$relay_out")

screen_start 160 48 -- -U officer_fx --relay "$url"
wait_for 'DB ●'
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
grep -q "relay: following $url for scope 310120" "$SCREEN_HOME/cityops.log" ||
	fail "the console did not subscribe for its scope: $(tail "$SCREEN_HOME/cityops.log")"
conns=$(psql -qAt -c "select count(*) from pg_stat_activity
	where datname = current_database() and usename = 'officer_fx'")
[ "$conns" = 1 ] || fail "a console on the relay holds $conns connections (want 1: no listener)"
ref=$(co -U super_fx --json -c 'raise flood 2 南桥镇 中继显示测试' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise failed"
wait_for "$ref"
screen_has '中继显示测试'
screen_quit
