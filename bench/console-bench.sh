#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Console figures (a benchmark, not a test): terminal bytes/s in steady
# state at 80x24 and 200x60 with htop measured the same way in the same
# run, idle CPU, RSS with 5,000 indicators and 10,000 open incidents, and
# start to first full paint. Each program runs in its own tmux server; the
# bytes it writes to its pty are recorded with pipe-pane.
#
#   bench/console-bench.sh [SECONDS]     (default 30 s per measurement)
#   PEER=/other/cityops bench/console-bench.sh [SECONDS]
#       also: first full paint with 5,000 indicators and the whole
#       10,000-incident queue, this build and PEER (e.g. a build of main)
#       alternating, 5 runs each, on the same data
#
# Needs the private database (scripts/devdb) and build/cityops.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SECS=${1:-30}
CITYOPS=${CITYOPS:-$ROOT/build/cityops}
command -v htop >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -q htop >&2; }
command -v htop >/dev/null || die "htop is not installed"
"$ROOT/scripts/devdb" start >/dev/null
eval "$("$ROOT/scripts/devdb" env)"
export PGTZ=Asia/Shanghai
WORK=$(mktemp -d)
DB=bench_console_$$
# run() is called inside $(…), a subshell: the tmux servers it starts are
# listed in a file, not a variable (a variable set there never reaches
# cleanup, which left every run's htops and consoles running).
SOCKS=$WORK/tmux-servers
: >"$SOCKS"
cleanup() {
	local s
	[ -z "${SIM_PID:-}" ] || kill "$SIM_PID" 2>/dev/null || true
	while read -r s; do tmux -L "$s" kill-server 2>/dev/null || true; done <"$SOCKS"
	dropdb --force --if-exists "$DB" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

createdb "$DB"
PGDATABASE=$DB "$CITYOPS" db migrate >/dev/null
PGDATABASE=$DB "$CITYOPS" db seed --demo >/dev/null

# run NAME COLS ROWS CMD...: starts CMD in a fresh tmux server recording
# its output; prints the pid of CMD.
run() {
	local name=$1 cols=$2 rows=$3 sock="cobench-$$-$1"
	shift 3
	echo "$sock" >>"$SOCKS"
	tmux -L "$sock" -f /dev/null new-session -d -x "$cols" -y "$rows" \
		"$(printf '%q ' env TERM=screen-256color LANG=C.UTF-8 HOME="$WORK" \
			XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config" \
			PGHOST="$PGHOST" PGDATABASE="$DB" PGUSER="$PGUSER" "$@")"
	tmux -L "$sock" pipe-pane -o "cat >>$WORK/$name.out"
	tmux -L "$sock" display -p '#{pane_pid}'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# The program itself, not env: env execs, so the pane pid is the program.

steady() { # NAME PID: bytes/s and CPU % over SECS, after 5 s to settle
	local name=$1 pid=$2 b0 b1 c0 c1 hz
	hz=$(getconf CLK_TCK)
	sleep 5
	b0=$(stat -c %s "$WORK/$name.out" 2>/dev/null || echo 0)
	c0=$(cpu_ticks "$pid")
	sleep "$SECS"
	b1=$(stat -c %s "$WORK/$name.out")
	c1=$(cpu_ticks "$pid")
	awk -v n="$name" -v b=$((b1 - b0)) -v c=$((c1 - c0)) -v s="$SECS" -v hz="$hz" \
		'BEGIN { printf "%-22s %8.1f bytes/s  cpu %5.2f %%\n", n, b / s, 100 * c / hz / s }'
}
# stop NAME: ends a measured program, so it does not load the next one.
stop() { tmux -L "cobench-$$-$1" kill-server 2>/dev/null || true; }

say "load: $(uptime)"
say "== steady state, ${SECS}s each (demo city: ~170 indicators)"
for size in 80x24 200x60; do
	c=${size%x*} r=${size#*x}
	pid=$(run "cityops-$size" "$c" "$r" "$CITYOPS" -U super_city --log "$WORK/log-$size")
	steady "cityops-$size" "$pid"
	stop "cityops-$size"
	pid=$(run "htop-$size" "$c" "$r" htop)
	steady "htop-$size" "$pid"
	stop "htop-$size"
done

# The same under a live feed of ~200 readings/s (feed-sim, the day
# scenario): the console follows it with --feed; htop beside it, as above.
FEED_RATE=${FEED_RATE:-200}
"$CITYOPS" feed-sim --port 0 --rate "$FEED_RATE" --scenario day >"$WORK/sim.url" 2>"$WORK/sim.log" &
SIM_PID=$!
for _ in $(seq 100); do [ -s "$WORK/sim.url" ] && break; sleep 0.1; done
SIM_URL=$(head -n1 "$WORK/sim.url")
[ -n "$SIM_URL" ] || die "feed-sim did not start: $(cat "$WORK/sim.log")"
say "== live feed, ${FEED_RATE} readings/s ($SIM_URL), ${SECS}s each"
for size in 80x24 200x60; do
	c=${size%x*} r=${size#*x}
	pid=$(run "cityops-feed-$size" "$c" "$r" "$CITYOPS" -U super_city --feed "$SIM_URL" --log "$WORK/logf-$size")
	steady "cityops-feed-$size" "$pid"
	stop "cityops-feed-$size"
	pid=$(run "htop-feed-$size" "$c" "$r" htop -d 10)
	steady "htop-feed-$size" "$pid"
	stop "htop-feed-$size"
done
kill "$SIM_PID" 2>/dev/null || true
wait "$SIM_PID" 2>/dev/null || true
SIM_PID=

say "== start to first full paint (5 runs, from the console's log)"
for i in 1 2 3 4 5; do
	run "paint$i" 120 40 "$CITYOPS" -U super_city --log "$WORK/paint$i.log" >/dev/null
done
for i in 1 2 3 4 5; do
	for _ in $(seq 100); do grep -q 'first full paint' "$WORK/paint$i.log" 2>/dev/null && break; sleep 0.05; done
	sed -n 's/.*first full paint \([0-9]*\) ms.*/\1 ms/p' "$WORK/paint$i.log"
	stop "paint$i"
done | sort -n | tr '\n' ' '
echo

say "== RSS with 5,000 indicators and 10,000 open incidents"
psql -qAt -d "$DB" >/dev/null <<'SQL'
SET session_replication_role = replica; -- no triggers: bulk fixture data
INSERT INTO cityops.indicator (id, category_code, name, uom, region_code,
	region_path, side, warn, alarm, hysteresis, department_code, stale_s,
	last_value, last_at, last_state)
SELECT i.id || '.b' || g, i.category_code, i.name || g, i.uom, i.region_code,
	i.region_path, i.side, i.warn, i.alarm, i.hysteresis, i.department_code,
	i.stale_s, i.last_value, now(), i.last_state
FROM (SELECT *, row_number() OVER () AS k FROM cityops.indicator) i,
	generate_series(1, 40) g
LIMIT 5000 - (SELECT count(*) FROM cityops.indicator);
INSERT INTO cityops.incident (ref, priority, category_code, title, source,
	region_code, region_path, created_by, ack_due, dispatch_due,
	arrive_due, close_due, sla_stage, sla_due)
SELECT '990101-' || lpad(g::text, 5, '0'), 1 + g % 4, i.category_code,
	'压力测试 ' || g, 'sensor', i.region_code, i.region_path, 'postgres',
	now() + interval '1 hour', now() + interval '2 hours',
	now() + interval '3 hours', now() + interval '1 day', 'ack',
	now() + (g % 120 - 30) * interval '1 minute'
FROM generate_series(1, 10000) g,
	LATERAL (SELECT * FROM cityops.incident ORDER BY id LIMIT 1) i;
SQL
say "indicators: $(psql -qAt -d "$DB" -c 'select count(*) from cityops.indicator'), open incidents: $(psql -qAt -d "$DB" -c 'select count(*) from cityops.incident where is_open')"
cfg="$WORK/big.conf"
echo "queue-limit 10000" >"$cfg"   # worst case: the whole queue in memory
pid=$(run big 200 60 "$CITYOPS" -U super_city --config "$cfg" --log "$WORK/big.log")
for _ in $(seq 200); do grep -q 'first full paint' "$WORK/big.log" 2>/dev/null && break; sleep 0.05; done
sed -n 's/.*\(first full paint.*\)/\1/p' "$WORK/big.log"
sleep 3
echo "RSS $(rss_kb "$pid") kB (after first paint)"
steady big "$pid"
echo "RSS $(rss_kb "$pid") kB (after ${SECS}s)"
stop big

# The same, this build against a peer build, alternating.
paint_big() { # NAME BINARY: ms to the first full paint, queue-limit 10000
	run "$1" 200 60 "$2" -U super_city --config "$cfg" --log "$WORK/$1.log" >/dev/null
	for _ in $(seq 400); do grep -q 'first full paint' "$WORK/$1.log" 2>/dev/null && break; sleep 0.05; done
	sed -n 's/.*first full paint \([0-9]*\) ms.*/\1/p' "$WORK/$1.log"
	stop "$1"
}
if [ -n "${PEER:-}" ]; then
	say "== first full paint, queue-limit 10000: this build vs $PEER (ms, alternating)"
	this=() peer=()
	for i in 1 2 3 4 5; do
		peer+=("$(paint_big "peer$i" "$PEER")")
		this+=("$(paint_big "this$i" "$CITYOPS")")
	done
	echo "peer: ${peer[*]}"
	echo "this: ${this[*]}"
fi

# The same data with the default configuration (the queue pane fetches its
# first 1,000 incidents, not all 10,000): what a duty officer's console does.
pid=$(run bigdefault 200 60 "$CITYOPS" -U super_city --log "$WORK/bigdefault.log")
for _ in $(seq 200); do grep -q 'first full paint' "$WORK/bigdefault.log" 2>/dev/null && break; sleep 0.05; done
printf 'default config: '
sed -n 's/.*\(first full paint.*\)/\1/p' "$WORK/bigdefault.log"
stop bigdefault
