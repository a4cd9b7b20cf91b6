# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A relay subscriber's link is up only once the relay serves it: the
# relay has checked its token and fixed where it starts, so a subscriber
# that starts without a position (as a console does: it reads everything
# when the link comes up, then follows) misses no change made after. The
# relay's token checks are held back by a lock on the token table: while
# they are, no link may be reported up (it once was, at the websocket
# handshake, so a console's first resync could read before the relay
# fixed its start, and relay-watch said "all up" to a bench whose writer
# then waited behind a thousand token checks). Once the lock goes, 300
# subscribers come up and each receives every change made after, once.
. "$(dirname "$0")/../lib.sh"
scratch_db
RELAY_PIDS=lock_pid
lock_pid=
. "$(dirname "$0")/relay-lib"
n=300

start_relay 0
wait_for 60 "the relay to read the change log" grep -qs "serving from" "$tmp/relay.log"
start=$(psql -qAt -c "select coalesce(max(seq), 0) from cityops.change_log")
token=$(psql -qAt -c "select cityops.relay_token_issue()")
psql -qAt -c "begin" -c "lock table cityops.relay_token in access exclusive mode" \
	-c "select 'locked'" -c "select pg_sleep(4)" -c "commit" >"$tmp/lock.out" &
lock_pid=$!
wait_for 10 "the lock" grep -qs locked "$tmp/lock.out"
"$CITYOPS" relay-watch -n "$n" --token "$token" --log "$tmp/watch.log" \
	"$(head -1 "$tmp/relay.url")" >"$tmp/watch.out" &
watch_pid=$!
sleep 2
! grep -qs "subscribers up" "$tmp/watch.log" ||
	fail "links reported up while the relay could not check their tokens"
wait "$lock_pid"
wait_for 120 "$n subscribers" grep -qs "all $n subscribers up" "$tmp/watch.log"
for i in 1 2 3; do
	psql -U super_city -qAt -c "select ref from cityops.incident_raise('fire', 3, '310120', 'relay start $i')" >/dev/null
done
want=$(psql -qAt -c "select count(*) from cityops.change_log where seq > $start and not exercise")
[ "$want" -ge 3 ] || fail "expected the raises in the change log, found $want records"
got() { awk -v s="$start" '$2 ~ /^[0-9]+$/ && $2 > s' "$tmp/watch.out" | wc -l; }
full() { [ "$(got)" -ge $((n * want)) ]; }
wait_for 60 "$((n * want)) records (have $(got))" full
sleep 1 # a duplicate would arrive now
kill "$watch_pid"
wait "$watch_pid" || true
watch_pid=
for k in $(seq 0 $((n - 1))); do
	c=$(awk -v k="$k" -v s="$start" '$1 == k && $2 ~ /^[0-9]+$/ && $2 > s { print $2 }' "$tmp/watch.out" | sort -u | wc -l)
	[ "$c" -eq "$want" ] || fail "subscriber $k got $c of the $want records made after its link was up"
done
[ "$(got)" -eq $((n * want)) ] || fail "$(got) records for $((n * want)): some came twice"
echo "ok: $n subscribers, each got the $want records made once its link was up"
