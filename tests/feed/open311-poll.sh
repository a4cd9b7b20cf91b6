#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Open311 GeoReport v2 polling with kill -9: feed-sim --http serves the
# typhoon scenario's hotline requests as requests.json and requests.xml
# (published at the stream's rate, filtered by start_date/end_date and
# service_request_id); `cityops ingest --open311 URL` polls it, once for
# each format, and is killed with SIGKILL at random points and restarted.
# At the end every open request published is one incident (open311:ID),
# none lost, none doubled; closed ones raise nothing.
. "$(dirname "$0")/feed-lib"
need_db
DBS=()
trap 'feed_cleanup; for d in "${DBS[@]}"; do dropdb --force --if-exists "$d" >/dev/null 2>&1 || true; done' EXIT
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
at_least() { [ "$(lines "$1")" -ge "$2" ]; }
seed=${OPEN311_SEED:-$$}
RANDOM=$seed
n=2928

for fmt in json xml; do
	db="t_$$_o311_$fmt"
	createdb -T "$CITYOPS_TEMPLATE" "$db"
	DBS+=("$db")
	export PGDATABASE=$db
	record=$FEED_TMP/record.$fmt state=$FEED_TMP/state.$fmt log=$FEED_TMP/ingest.$fmt.log
	start=$(($(date +%s) * 1000))
	start_sim "sim$fmt" --scenario typhoon --format open311 --start "$start" --tick-ms 1000 \
		--count $n --http --rate 300 --hold --record "$record"
	total=$("$CITYOPS" feed-sim --scenario typhoon --format open311 --start "$start" \
		--tick-ms 1000 --count $n --dump | grep -c 'requested_datetime')
	[ "$total" -ge 8 ] || fail "only $total requests with a requested time"
	url=${SIM_URL}open311/requests.$fmt
	points=$(for k in 1 2 3; do echo $((1 + $RANDOM % (total - 1))); done | sort -n | tr '\n' ' ')
	echo "$fmt: seed $seed, $total requests, kill -9 after $points published; $url"
	ingest_pid=
	run_ingest() {
		"$CITYOPS" ingest -U cityops_ingest --open311 "$url" --poll-min 1 \
			--poll-interval 1 --state "$state" >>"$log" 2>&1 &
		ingest_pid=$!
		FEED_PIDS+=("$ingest_pid")
	}
	run_ingest
	for p in $points; do
		wait_for 60 at_least "$record" "$p" ||
			fail "$fmt: never published $p: $(tail -3 "$log")"
		kill -9 "$ingest_pid"
		wait "$ingest_pid" 2>/dev/null || true
		run_ingest
	done
	wait_for 60 at_least "$record" "$total" || fail "$fmt: published $(lines "$record") of $total"
	wait_for 60 bash -c "[ \$(cat $state.open311-* 2>/dev/null | wc -l) -ge $total ]" ||
		fail "$fmt: ingest confirmed $(cat "$state".open311-* 2>/dev/null | wc -l) of $total: $(tail -5 "$log")"
	kill -TERM "$ingest_pid"
	wait "$ingest_pid" || fail "$fmt: ingest did not stop cleanly"
	kill -TERM "$SIM_PID"
	wait "$SIM_PID" || true

	# Expected: each open request published, once.
	awk -F'\t' '$5 == "open" { print "open311:" $3 }' "$record" | sort -u >"$FEED_TMP/want.$fmt"
	q "SELECT dedup_key FROM cityops.incident WHERE dedup_key LIKE 'open311:%'
		ORDER BY 1" >"$FEED_TMP/got.$fmt"
	merges=$(q "SELECT count(*) FROM cityops.incident_event e JOIN cityops.incident i
		ON i.id = e.incident_id WHERE i.dedup_key LIKE 'open311:%' AND e.action = 'merge'")
	want=$(wc -l <"$FEED_TMP/want.$fmt")
	got=$(wc -l <"$FEED_TMP/got.$fmt")
	lost=$(comm -23 "$FEED_TMP/want.$fmt" "$FEED_TMP/got.$fmt" | wc -l)
	extra=$(comm -13 "$FEED_TMP/want.$fmt" "$FEED_TMP/got.$fmt" | wc -l)
	doubled=$(($(sort "$FEED_TMP/got.$fmt" | uniq -d | wc -l) + merges))
	echo "$fmt: requests expected $want incidents $got lost $lost extra $extra doubled $doubled"
	[ "$want" -ge 4 ] || fail "$fmt: too few open requests expected"
	[ "$lost" -eq 0 ] && [ "$extra" -eq 0 ] && [ "$doubled" -eq 0 ] ||
		fail "$fmt: a restart lost or doubled requests"
	grep -q 'requests.*service_request_id=\|open311.*known from' "$log" || true
done
echo "ok: every open Open311 request stored exactly once over 3 kill -9 restarts, JSON and XML"
