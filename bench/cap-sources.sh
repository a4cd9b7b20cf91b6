#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Memory of `cityops ingest` polling many CAP sources: 50 --cap sources
# (one feed-sim --http, 50 index URLs told apart by a query string), 200
# documents each, so 10,000 cached document keys. Prints the peak and
# current RSS of ingest once every document is confirmed, beside the RSS
# of the same ingest with one source and 200 keys. Needs a database (the
# PG* environment and CITYOPS_TEMPLATE, as tests do) and a build.
# Usage: bench/cap-sources.sh [BUILD_DIR]
set -eu
B=${1:-build}
CITYOPS=$B/cityops
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
"$CITYOPS" feed-sim --http --scenario typhoon --format cap --count 12200 --rate 0 \
	--port 0 >"$T/url" 2>"$T/sim.log" &
pids+=($!)
for i in $(seq 50); do [ -s "$T/url" ] && break; sleep 0.2; done
url=$(head -n1 "$T/url")
docs=$(curl -s "${url}cap/index.atom" | grep -c '<entry>')
run() {
	local n=$1 db="bench_cap_$$_$1" args=() i
	createdb -T "$CITYOPS_TEMPLATE" "$db"
	for i in $(seq "$n"); do args+=(--cap "${url}cap/index.atom?s=$i"); done
	PGDATABASE=$db "$CITYOPS" ingest -U cityops_ingest "${args[@]}" --poll-min 1 \
		--poll-interval 5 --state "$T/state.$n" >"$T/ingest.$n.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	for i in $(seq 1200); do
		[ "$(cat "$T"/state."$n".cap-* 2>/dev/null | wc -l)" -ge $((n * docs)) ] && break
		sleep 0.5
	done
	local keys
	keys=$(cat "$T"/state."$n".cap-* | wc -l)
	printf '%d sources, %d cached keys: %s, %s\n' "$n" "$keys" \
		"$(grep VmHWM /proc/$pid/status | tr -s ' \t' ' ')" \
		"$(grep VmRSS /proc/$pid/status | tr -s ' \t' ' ')"
	kill -TERM "$pid"
	wait "$pid" || true
	dropdb --force "$db"
}
echo "documents per index: $docs; $(uptime)"
run 1
run 50
