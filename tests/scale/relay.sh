# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# cityops relay (issue 12): 200 simulated consoles (cityops relay-watch),
# each asking for a scope — the city, one of the 16 districts or a street
# — follow one relay while a headless dispatch loop raises, acknowledges
# and dispatches incidents across districts. The relay is killed with
# SIGKILL twice: once between rounds (changes are made while it is down)
# and once while a round is running, and started again on the same port.
# Every subscriber must then have received every change of the change log
# in its scope (city-wide ones included) after its starting point exactly
# once, in sequence order, and nothing outside its scope.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless -U super_city "$@"; }
RELAY_PIDS=loop_pid
loop_pid=
. "$(dirname "$0")/relay-lib"

# One round of the dispatch loop, two headless runs: raise an incident in
# each district given, then acknowledge each and dispatch an available
# unit of its district to it.
round() {
	local d args=() refs unit i=0
	for d in "$@"; do args+=(-c "raise fire 2 $d 中继测试"); done
	mapfile -t refs < <(co --json "${args[@]}" | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
	[ "${#refs[@]}" -eq "$#" ] || fail "raised ${#refs[@]} of $# incidents"
	args=()
	for d in "$@"; do
		args+=(-c "ack ${refs[$i]}")
		unit=$(psql -qAt -c "select callsign from cityops.unit u join cityops.region r
			on r.code = '$d' where u.status = 'available' and u.region_path <@ r.path
			and not u.exercise order by random() limit 1")
		if [ -n "$unit" ]; then args+=(-c "dispatch ${refs[$i]} $unit"); fi
		i=$((i + 1))
	done
	co "${args[@]}" >/dev/null || true
}

lines() { wc -l <"$tmp/watch.out"; }
more_than() { [ "$(lines)" -gt "$1" ]; }

# Scopes: the city, the 16 districts and some streets, in turn.
mapfile -t scopes < <(psql -qAt -c "(select '' union all
	select path::text from cityops.region where level = 'district' order by 1)
	union all (select path::text from cityops.region where nlevel(path) = 3
	order by path limit 8)")
[ "${#scopes[@]}" -ge 20 ] || fail "expected the demo's districts and streets, got ${#scopes[@]} scopes"
args=()
for s in "${scopes[@]}"; do args+=(--scope "$s"); done
start=$(psql -qAt -c "select coalesce(max(seq), 0) from cityops.change_log")

start_relay 0
url=$(head -1 "$tmp/relay.url")
port=${url##*:}
port=${port%%/*}
"$CITYOPS" relay-watch -n 200 "${args[@]}" --from "$start" --log "$tmp/watch.log" "$url" \
	>"$tmp/watch.out" &
watch_pid=$!
wait_for 120 "200 subscribers" grep -qs "all 200 subscribers up" "$tmp/watch.log"

round 310101 310120 310115 310104
wait_for 120 "the first records" more_than 200
kill -9 "$relay_pid"
wait "$relay_pid" 2>/dev/null || true
# Changes while the relay is down.
round 310120 310101 310106
start_relay "$port"
# A kill while the loop runs; the subscribers reconnect by themselves.
round 310101 310120 310115 310110 310112 310113 &
loop_pid=$!
before=$(lines)
wait_for 120 "more records" more_than "$before"
kill -9 "$relay_pid"
wait "$relay_pid" 2>/dev/null || true
start_relay "$port"
wait "$loop_pid" || fail "the dispatch loop failed"
loop_pid=
round 310104 310120

# What each subscriber should have: the change log after start, in its
# scope (or city-wide), real data only, in sequence order.
for i in "${!scopes[@]}"; do
	psql -qAt -c "select seq from cityops.change_log where seq > $start and not exercise
		and (region_path is null or '${scopes[$i]}' = '' or region_path <@ '${scopes[$i]}'::ltree)
		order by seq" >"$tmp/want.$i"
done
total=0
for n in $(seq 0 199); do
	total=$((total + $(wc -l <"$tmp/want.$((n % ${#scopes[@]}))")))
done
[ "$total" -gt 1000 ] || fail "too few changes to test with: $total"
wait_until 120 more_than "$((total - 1))" || echo "only $(lines) of $total records arrived" >&2
sleep 1 # anything extra (a duplicate) would arrive now
kill "$watch_pid"
wait "$watch_pid" || true
watch_pid=
! grep -q " gap " "$tmp/watch.out" || fail "a subscriber was told of a gap"
for n in $(seq 0 199); do
	awk -v n="$n" '$1 == n { print $2 }' "$tmp/watch.out" >"$tmp/got"
	if ! cmp -s "$tmp/got" "$tmp/want.$((n % ${#scopes[@]}))"; then
		diff "$tmp/want.$((n % ${#scopes[@]}))" "$tmp/got" | head -5 >&2
		fail "subscriber $n (scope '${scopes[$((n % ${#scopes[@]}))]}') did not get its changes exactly once in order"
	fi
done
restarts=$(grep -c "listening on" "$tmp/relay.log")
[ "$restarts" -eq 3 ] || fail "expected 3 relay starts, log shows $restarts"
echo "ok: 200 subscribers, ${#scopes[@]} scopes, $total records, 2 relay kills"
