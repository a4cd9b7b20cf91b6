# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Failover under load (issue 11). A pg_auto_failover formation (monitor +
# two nodes, scripts/devdb-ha, tuned timers) of its own; a console in tmux,
# a long-lived headless session sending notes in a loop, and ingest fed by
# feed-sim, all on the multi-host conninfo. Then, twice — kill -9 of the
# primary's postgres and keeper mid-loop, and a planned
# `pg_autoctl perform switchover` — it asserts: the other node is primary;
# every note the loop saw confirmed is in the database exactly once and
# every one it saw fail is absent (or was settled by its request id: then
# it was confirmed, and is there once); no note twice; readings each once
# and ingest stored readings after the failover; the console came back by
# itself, shows the new node, and its event log shows each note once.
# During the kill the console is frozen (SIGSTOP) while the loop also
# changes a unit's status on the new primary: those NOTIFYs are lost to
# it, so its event log must catch them up from the change log by
# sequence — each unit change (shown with its #seq) exactly once.
# Prints the time from kill to the first confirmed command.
. "$(dirname "$0")/../lib.sh"
[ -x /usr/bin/pg_autoctl ] || { echo "skipped: pg_auto_failover not installed" >&2; exit 77; }

work=$(mktemp -d)
chmod 755 "$work"
export CITYOPS_DEVDB=$work/db CITYOPS_DBNAME=cityops CITYOPS_DEVDB_FSYNC=off CITYOPS_BIN=$CITYOPS
export CITYOPS_HA_PORT=$((21000 + ($$ % 2500) * 3))
ha() { "$CITYOPS_SRC/scripts/devdb-ha" "$@" 3>&-; }
SOCK="cityops-ha-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
reader= ingest= sim=
cleanup() {
	exec 3>&- 2>/dev/null || true
	for p in $reader $ingest $sim; do kill "$p" 2>/dev/null || true; done
	tm kill-server >/dev/null 2>&1 || true
	ha stop >/dev/null 2>&1 || true
	rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

ha start >"$work/ha.log" 2>&1 || fail "formation did not start: $(tail -20 "$work/ha.log")"
eval "$(ha env)"
export PGUSER=postgres
ms() { echo $(($(date +%s%N) / 1000000)); }
port_of_primary() { ha port "$(ha primary)"; }

# The console, on the formation; the whole left bottom for the event log
# (no alarms pane above it), so that every note of a round fits.
mkdir -p "$work/config/cityops"
echo 'alarms off' >"$work/config/cityops/config"
tm new-session -d -x 200 -y 80 "$(printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color \
	HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" PGHOST="$PGHOST" \
	PGPORT="$PGPORT" PGDATABASE="$PGDATABASE" PGTARGETSESSIONATTRS=read-write PGTZ=Asia/Shanghai \
	"$CITYOPS" -U super_city --log "$work/console.log"); sleep 600"
screen() { tm capture-pane -p -S -; }
wait_screen() {
	local end=$((SECONDS + ${2:-30}))
	until screen | grep -Eq -- "$1"; do
		[ $SECONDS -le $end ] || fail "timed out waiting for /$1/ on screen:
$(screen | tail -30)
--- log:
$(tail -20 "$work/console.log")"
		sleep 0.2
	done
}

wait_screen "DB ● 127.0.0.1:[0-9]+" 90

# Ingest, fed by the simulator.
"$CITYOPS" feed-sim --port 0 --rate 50 >"$work/sim.out" 2>"$work/sim.log" &
sim=$!
for _ in $(seq 100); do grep -Eoq 'ws://[0-9.:]+' "$work/sim.out" "$work/sim.log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -Eoh 'ws://[0-9.:]+/?' "$work/sim.out" "$work/sim.log" | head -1)
[ -n "$url" ] || fail "feed-sim printed no address: $(cat "$work/sim.log")"
"$CITYOPS" ingest --feed "$url" -U cityops_ingest --flush-ms 200 --log "$work/ingest.log" &
ingest=$!

# The headless session: one line in, one JSON line out.
mkfifo "$work/in"
"$CITYOPS" --headless -U super_city --json --keep-going --log "$work/headless.log" \
	<"$work/in" >"$work/out" 2>"$work/err" &
reader=$!
exec 3>"$work/in"
sent=0
send() {
	printf '%s\n' "$1" >&3
	sent=$((sent + 1))
	local end=$((SECONDS + 90))
	until [ "$(wc -l <"$work/out")" -ge "$sent" ]; do
		[ $SECONDS -le $end ] || fail "no answer to '$1' within 90 s"
		sleep 0.05
	done
}
send whoami
ref=$(psql -qAt -c "select ref from cityops.incident where title = '小区停电'")
[ -n "$ref" ] || fail "no demo incident"

# The console's process (the pane runs "env … cityops …; sleep").
console_pid() { pgrep -x -P "$(tm display-message -p '#{pane_pid}')" cityops; }
# unit_toggle: the unit's status flips (a change the console shows by seq).
ustate=returning
unit_toggle() {
	send "unit-status BS-A01 $ustate"
	tail -n 1 "$work/out" | grep -q '"ok":true' || fail "unit-status failed: $(tail -n 1 "$work/out")"
	[ "$ustate" = returning ] && ustate=available || ustate=returning
}

# round NAME ACTION: a loop of notes with ACTION happening during it.
n=0
round() {
	local name=$1 action=$2 before after t_kill t_first= ok=0 ok_after=0
	local rec="$work/$name.rec" from=$n frozen=
	: >"$rec"
	local seq0; seq0=$(psql -qAt -c "select coalesce(max(seq), 0) from cityops.change_log")
	local readings0; readings0=$(psql -qAt -c "select count(*) from cityops.reading")
	for i in $(seq 1 5); do
		n=$((n + 1)); send "note $ref ha-$name-$n"
		tail -n 1 "$work/out" | grep -q '"ok":true' && echo "$n ok" >>"$rec" || echo "$n fail" >>"$rec"
	done
	before=$(port_of_primary)
	t_kill=$(ms)
	# The kill is over when kill_primary returns (kill -9 is immediate),
	# so the first confirmed command after it is the first on the new
	# primary; a switchover runs in the background while the loop goes on.
	local act=
	if [ "$action" = kill_primary ]; then
		frozen=$(console_pid)
		[ -n "$frozen" ] || fail "no console process"
		kill -STOP "$frozen"
		$action >"$work/$name.action" 2>&1
		t_kill=$(ms)
	else
		$action >"$work/$name.action" 2>&1 &
		act=$!
	fi
	while [ $ok_after -lt 5 ]; do
		n=$((n + 1))
		local s0; s0=$(ms)
		send "note $ref ha-$name-$n"
		if tail -n 1 "$work/out" | grep -q '"ok":true'; then
			echo "$n ok" >>"$rec"
			ok_after=$((ok_after + 1))
			unit_toggle
			# Kill: the first confirmed after it. Switchover: the first
			# that rode out the switch (waited over 500 ms).
			if [ -z "$t_first" ] && { [ -z "$act" ] || [ $(($(ms) - s0)) -gt 500 ]; }; then t_first=$(ms); fi
		else
			echo "$n fail $(tail -n 1 "$work/out")" >>"$rec"
		fi
		[ $((n - from)) -lt 200 ] || fail "$name: 200 commands without 5 confirmed after the $name"
	done
	[ -n "$act" ] && { wait "$act" || true; }
	[ -z "$frozen" ] || kill -CONT "$frozen"
	local end=$((SECONDS + 60))
	until [ "$(port_of_primary 2>/dev/null)" != "$before" ] && [ -n "$(port_of_primary 2>/dev/null)" ]; do
		[ $SECONDS -le $end ] || fail "$name: no promotion: $(ha status 2>&1)"
		sleep 0.2
	done
	after=$(port_of_primary)
	[ "$after" != "$before" ] || fail "$name: the primary did not change"
	# Some command may have been confirmed on the old primary after the
	# action began; the first confirmed on the new one is what counts.
	[ -n "$t_first" ] || t_first=$t_kill # no command had to wait
	# Every confirmed note once, every failed note absent or settled.
	while read -r i st _; do
		c=$(psql -qAt -c "select count(*) from cityops.incident_event where note = 'ha-$name-$i'")
		if [ "$st" = ok ]; then
			[ "$c" = 1 ] || fail "$name: confirmed note $i stored $c times"
		else
			[ "$c" -le 1 ] || fail "$name: failed note $i stored $c times"
			[ "$c" = 0 ] || psql -qAt -c "select 1 from cityops.request where command = 'act note'" >/dev/null ||
				fail "$name: failed note $i stored but not settled"
		fi
	done <"$rec"
	[ "$(psql -qAt -c "select count(*) from (select note from cityops.incident_event
		where note like 'ha-$name-%' group by note having count(*) > 1) d")" = 0 ] ||
		fail "$name: a note is stored twice"
	# Readings: each once, and ingest resumed on the new primary.
	[ "$(psql -qAt -c "select count(*) from (select 1 from cityops.reading
		group by indicator_id, at having count(*) > 1) d")" = 0 ] || fail "$name: a reading stored twice"
	local end2=$((SECONDS + 60))
	until [ "$(psql -qAt -c "select count(*) from cityops.reading")" -gt "$readings0" ]; do
		[ $SECONDS -le $end2 ] || fail "$name: ingest stored nothing after the $name: $(tail -5 "$work/ingest.log")"
		sleep 0.2
	done
	# The console: back by itself, on the new node, each note once.
	wait_screen "DB ● 127.0.0.1:$after" 60
	wait_screen "ha-$name-$n" 30
	local shot; shot=$(screen)
	for i in $(seq $((from + 1)) "$n"); do
		c=$(grep -c -- "ha-$name-$i\b" <<<"$shot" || true)
		grep -q "^$i ok" "$rec" && [ "$c" = 0 ] && fail "$name: the console never showed confirmed note $i:
$shot"
		[ "$c" -le 1 ] || fail "$name: the console shows note $i $c times"
	done
	# Each unit change of the round, by its sequence, exactly once.
	local useqs; useqs=$(psql -qAt -c "select seq from cityops.change_log
		where kind = 'unit' and object = 'BS-A01' and seq > $seq0 order by seq")
	[ "$(wc -w <<<"$useqs")" -ge 5 ] || fail "$name: only $(wc -w <<<"$useqs") unit changes logged"
	wait_screen "BS-A01 → .* #${useqs##*[!0-9]}\b" 30
	shot=$(screen)
	for q in $useqs; do
		c=$(grep -c -- "BS-A01 → .* #$q\b" <<<"$shot" || true)
		[ "$c" = 1 ] || fail "$name: the console shows unit change #$q $c times:
$(grep -- 'BS-A01' <<<"$shot")"
	done
	local fails; fails=$(grep -c ' fail' "$rec" || true)
	echo "$name: primary $before -> $after; $(grep -c ' ok' "$rec") confirmed, $fails failed (absent), 0 doubled; $(wc -w <<<"$useqs") unit changes shown once each; $name -> first confirmed command on the new primary $((t_first - t_kill)) ms"
}

kill_primary() { ha kill-primary; }
switchover() { ha switchover; }
round failover kill_primary
# Bring the killed node back as a standby, then a planned switchover.
old=node_1
[ "$(ha port node_1)" = "$(port_of_primary)" ] && old=node_2
ha restart-node "$old"
end=$((SECONDS + 300))
until ha settled >/dev/null 2>&1; do
	[ $SECONDS -le $end ] || fail "the killed node did not come back as a standby within 300 s: $(ha status 2>&1)"
	sleep 0.5
done
round switchover switchover
echo "1 passed, 0 failed"
