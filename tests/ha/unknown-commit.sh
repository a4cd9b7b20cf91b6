# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A change whose connection is lost during its COMMIT is neither lost nor
# doubled (issue 11). A proxy the test controls (cutproxy.py) stands
# between a headless session and PostgreSQL and cuts the link at the one
# command that carries a marker:
#   after   the server committed, the client never heard: the session
#           reconnects, finds its request id applied and says
#           "confirmed after reconnect";
#   before  nothing reached the server: it finds the id absent and says
#           "not applied: sent again";
#   race    cut while the server is still working on it: either answer,
#           whichever is true.
# Each time the change is stored exactly once. The same for a dispatch
# (incident and unit changed once), a raise, and a drill's start and
# clear. Without request ids the
# "after" case stores the note and reports outcome_unknown; a resend would
# store it twice.
. "$(dirname "$0")/../lib.sh"
scratch_db

sock=$(psql -qAt -c "show unix_socket_directories" | cut -d, -f1)
port=$(psql -qAt -c "show port")
pport=$((30000 + $$ % 20000))
proxy=
cleanup() {
	if [ -n "$proxy" ]; then kill "$proxy" 2>/dev/null || true; fi
	dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# A port another test holds (they run side by side) is skipped: the
# proxy exits at once, and the next port is tried.
start_proxy() {
	local try
	if [ -n "$proxy" ]; then kill "$proxy" 2>/dev/null || true; wait "$proxy" 2>/dev/null || true; fi
	for try in $(seq 20); do
		pport=$((pport + 1))
		python3 "$CITYOPS_SRC/tests/ha/cutproxy.py" "$pport" "$sock/.s.PGSQL.$port" "$1" "$2" \
			2>"$work/proxy.log" &
		proxy=$!
		for _ in $(seq 600); do
			grep -q listening "$work/proxy.log" 2>/dev/null && return 0
			kill -0 "$proxy" 2>/dev/null || break
			sleep 0.05
		done
		grep -q 'Address already in use' "$work/proxy.log" || break
	done
	fail "proxy did not start: $(cat "$work/proxy.log")"
}
work=$(mktemp -d)
dsn() { echo "host=127.0.0.1 port=$pport dbname=$PGDATABASE user=super_city connect_timeout=3"; }
co() { "$CITYOPS" --headless -d "$(dsn)" --log "$work/log" "$@"; }
count() { psql -qAt -c "select count(*) from cityops.incident_event where note = '$1'"; }
ref=$(psql -qAt -c "select ref from cityops.incident where title = '小区停电'")

for mode in after before race; do
	start_proxy "$mode" "断线-$mode"
	t0=$(date +%s%N)
	out=$(co -c "note $ref 断线-$mode" 2>&1) || fail "$mode: the note failed: $out"
	echo "$mode: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	grep -q "cut $mode" "$work/proxy.log" || fail "$mode: the proxy never cut the link"
	case $mode in
	after) expect_in "$out" 'note confirmed after reconnect' ;;
	before) expect_in "$out" 'note not applied: sent again after reconnect' ;;
	race) expect_in "$out" 'note (confirmed after reconnect|not applied: sent again after reconnect)' ;;
	esac
	[ "$(count "断线-$mode")" = 1 ] || fail "$mode: the note is stored $(count "断线-$mode") times, want 1"
	[ "$(psql -qAt -c "select count(*) from cityops.request where command = 'act note'
		and login = 'super_city'")" -ge 1 ] || fail "$mode: no request row"
	echo "$mode: $(grep -o 'note [a-z :]*after reconnect' <<<"$out"), stored once"
done

# A dispatch cut after its COMMIT: the incident and the unit change once,
# and the unit is not "busy" to a second copy (which would fail CO005).
start_proxy after "FX-E01"
before_n=$(psql -qAt -c "select count(*) from cityops.assignment")
out=$(co -c "dispatch $ref FX-E01" 2>&1) || fail "dispatch failed: $out"
grep -q "cut after" "$work/proxy.log" || fail "dispatch: the proxy never cut the link"
expect_in "$out" 'dispatch confirmed after reconnect'
[ "$(psql -qAt -c "select count(*) from cityops.assignment")" = $((before_n + 1)) ] ||
	fail "dispatch: assignments $(psql -qAt -c "select count(*) from cityops.assignment"), want $((before_n + 1))"
[ "$(psql -qAt -c "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id
	where i.ref = '$ref' and e.action = 'dispatch'")" = 1 ] || fail "dispatch: the timeline holds it more than once"
echo "dispatch: confirmed after reconnect, applied once"

# A raise cut before it reached the server: sent again, one incident.
start_proxy before "断线新事件"
out=$(co -c "raise gas 2 南桥镇 断线新事件" 2>&1) || fail "raise failed: $out"
expect_in "$out" 'raise not applied: sent again after reconnect'
[ "$(psql -qAt -c "select count(*) from cityops.incident where title = '断线新事件'")" = 1 ] ||
	fail "raise: stored $(psql -qAt -c "select count(*) from cityops.incident where title = '断线新事件'") times"
echo "raise: not applied, sent again, stored once"

# Drills: start cut after its COMMIT (one run, confirmed, the drill goes
# on), clear cut after its COMMIT (confirmed, reported with its counts).
runs() { psql -qAt -c "select count(*) from cityops.drill_run where name = 'alarm-ack'"; }
runs0=$(runs)
start_proxy after "request_drill_start"
out=$("$CITYOPS" --dsn "$(dsn)" --log "$work/drill.log" drill run "$CITYOPS_SRC/tests/drill/alarm-ack.drill" \
	--speed max 2>&1) || fail "drill run failed: $out"
grep -q "cut after" "$work/proxy.log" || fail "drill start: the proxy never cut the link"
[ "$(runs)" = $((runs0 + 1)) ] || fail "drill start: $(runs) runs, want $((runs0 + 1))"
[ "$(psql -qAt -c "select count(*) from cityops.request where command = 'drill start'")" = 1 ] ||
	fail "drill start: no single request row"
grep -q "request .* was applied" "$work/drill.log" || fail "drill start: not settled by its id: $(tail -5 "$work/drill.log")"
echo "drill start: cut after commit, confirmed by its request id, one run"
start_proxy after "request_drill_clear"
out=$("$CITYOPS" --dsn "$(dsn)" drill clear alarm-ack 2>&1) || fail "drill clear failed: $out"
grep -q "cut after" "$work/proxy.log" || fail "drill clear: the proxy never cut the link"
expect_in "$out" 'cleared drill alarm-ack: [0-9]+ incidents'
[ "$(psql -qAt -c "select count(*) from cityops.request where command = 'drill clear'")" = 1 ] ||
	fail "drill clear: no single request row"
echo "drill clear: cut after commit, confirmed with its counts: $out"
echo "1 passed, 0 failed"
