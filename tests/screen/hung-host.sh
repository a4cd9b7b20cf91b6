# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Issue 11: with several hosts, a first host that never answers costs the
# connect timeout of that host, not the whole connect: the console (async
# connect) and headless (libpq's blocking connect) both reach the second
# host. The first "host" accepts TCP connections and never says a word,
# as a server whose machine froze, or a vanished host behind a listener.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(128)
print(s.getsockname()[1], flush=True)
while True:
    time.sleep(3600)
' >"$SCREEN_HOME/hung.port" &
hung=$!
trap 'kill $hung 2>/dev/null || true; screen_cleanup' EXIT
for _ in $(seq 100); do [ -s "$SCREEN_HOME/hung.port" ] && break; sleep 0.1; done
hport=$(cat "$SCREEN_HOME/hung.port")
[ -n "$hport" ] || fail "the silent listener did not start"
hosts="127.0.0.1,$PGHOST" ports="$hport,${PGPORT:-5432}"

# Headless: libpq's own connect_timeout, per host.
out=$(PGHOST=$hosts PGPORT=$ports PGCONNECT_TIMEOUT=2 co -U super_city -c 'whoami' 2>&1) ||
	fail "headless did not reach the second host: $out"

# The console: the first host is given up after 2 s, every time it is
# tried, and the link comes up on the second (well within a minute).
screen_start 120 30 "PGHOST=$hosts" "PGPORT=$ports" PGCONNECT_TIMEOUT=2 -- -U super_city
wait_for 'DB ● ' 60
grep -q 'host 1 of 2: no answer within 2000 ms' "$SCREEN_HOME/cityops.log" ||
	fail "the log does not say the first host was given up: $(tail -5 "$SCREEN_HOME/cityops.log")"
wait_for '事件队列 +[0-9]+ 件未结' 60
screen_quit
