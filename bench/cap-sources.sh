#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Memory of `cityops ingest` polling many CAP sources: 50 --cap sources,
# each an Atom index of 200 CAP alerts made on request by one feed-sim
# (--http --cap-gen 200: /cap/gen/S/index.atom, sender gen-S, identifiers
# GEN-0..199 shared by every sender), so 10,000 cached alerts, each keyed
# by (sender, identifier, sent). The alerts are status Test: each is
# fetched, decoded and cached (confirmed in order behind the database's
# answers) but raises no incident, so the figure is the poller's and the
# cache's, not the incident queue's (raising 10,000 incidents takes this
# machine minutes: 40 to 80 a second under load). Prints the peak and current RSS of ingest
# once every document is confirmed, with its cache file sizes, beside the
# same ingest with one source of 200 alerts (the peer in the same run),
# and the wall time each took. Needs a database (the PG* environment and
# CITYOPS_TEMPLATE, as tests do) and a build.
# Usage: bench/cap-sources.sh [BUILD_DIR]
set -eu
B=${1:-build}
CITYOPS=$B/cityops
PER=200
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
"$CITYOPS" feed-sim --http --cap-gen "$PER" --count 1 --port 0 >"$T/url" 2>"$T/sim.log" &
pids+=($!)
for i in $(seq 50); do [ -s "$T/url" ] && break; sleep 0.2; done
url=$(head -n1 "$T/url")
kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$2/status"; }
run() {
	local n=$1 db="bench_cap_$$_$1" args=() i t0 keys
	createdb -T "$CITYOPS_TEMPLATE" "$db"
	for i in $(seq "$n"); do args+=(--cap "${url}cap/gen/$i/index.atom"); done
	t0=$(date +%s.%N)
	PGDATABASE=$db "$CITYOPS" ingest -U cityops_ingest "${args[@]}" --poll-min 1 \
		--poll-interval 5 --state "$T/state.$n" --debug >"$T/ingest.$n.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	for i in $(seq 1800); do
		[ "$(cat "$T"/state."$n".cap-* 2>/dev/null | wc -l)" -ge $((n * PER)) ] && break
		sleep 0.1
	done
	keys=$(cat "$T"/state."$n".cap-* | wc -l)
	printf '%2d sources, %5d cached alerts in %5.1f s: peak RSS %6d kB, RSS %6d kB, cache files %d bytes\n' \
		"$n" "$keys" "$(echo "$(date +%s.%N) - $t0" | bc)" "$(kb VmHWM "$pid")" \
		"$(kb VmRSS "$pid")" "$(cat "$T"/state."$n".cap-* | wc -c)"
	kill -TERM "$pid"
	wait "$pid" || true
	[ "$keys" -ge $((n * PER)) ] || { echo "only $keys of $((n * PER)) confirmed: $(tail -3 "$T/ingest.$n.log")"; exit 1; }
	echo "   $(grep -o 'cap_ignored=[0-9]*' "$T/ingest.$n.log" | tail -n1) (Test alerts decoded), $(grep -c 'fetching document' "$T/ingest.$n.log" || true) fetches logged"
	# Restarted on the same state: the cache loaded, every index 200
	# and nothing fetched again (a long poll interval after the first).
	PGDATABASE=$db "$CITYOPS" ingest -U cityops_ingest "${args[@]}" --poll-min 1 \
		--poll-interval 600 --state "$T/state.$n" --debug >"$T/again.$n.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	for i in $(seq 600); do
		[ "$(grep -c 'items known from' "$T/again.$n.log")" -ge "$n" ] && break
		sleep 0.1
	done
	sleep 3
	printf '   restarted on that state, after its first poll: peak RSS %6d kB, RSS %6d kB, %d fetched again\n' \
		"$(kb VmHWM "$pid")" "$(kb VmRSS "$pid")" "$(grep -c 'fetching document' "$T/again.$n.log" || true)"
	kill -TERM "$pid"
	wait "$pid" || true
	dropdb --force "$db"
}
echo "alerts per index: $PER; $(uptime)"
run 1
run 50
echo "$(uptime)"
