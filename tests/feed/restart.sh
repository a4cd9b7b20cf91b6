#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Restarts lose and double nothing, proved against the simulator's own
# record. Each run starts the typhoon simulator (two cycles, broken
# messages mixed in) and `cityops ingest` exactly as docs/ingest.md shows
# it (the plain feed URL, no ?from=), kills ingest with SIGKILL at random
# stream positions several times, restarting it after each kill, lets it
# finish, and then compares the database with what the simulator served
# (feed-sim --record: every message with its stream position):
#   - every reading of the stream, from the first position served to the
#     end, is stored exactly once (none lost, none extra);
#   - every incident report is stored exactly once: the first message of a
#     dedup key raises one incident, every later distinct message of that
#     key is one 'merge' row on its timeline, and a message replayed after
#     a restart adds nothing;
#   - no position was skipped: what the simulator never sent because ingest
#     did not ask for it counts as lost too.
# RESTART_RUNS, RESTART_KILLS and RESTART_SEED override 3, 3 and a random
# seed (printed, so that a failure can be replayed).
. "$(dirname "$0")/feed-lib"
need_db
DBS=()
trap 'feed_cleanup; for d in "${DBS[@]}"; do dropdb --force --if-exists "$d" >/dev/null 2>&1 || true; done' EXIT

runs=${RESTART_RUNS:-3}
kills=${RESTART_KILLS:-3}
seed=${RESTART_SEED:-$$}
RANDOM=$seed
cycle=$("$CITYOPS" feed-sim --scenario typhoon --dump | wc -l)
n=$((2 * cycle))
rate=2000
echo "restart: seed $seed, $runs runs x $kills kills, $n messages a run at $rate/s"

q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# sent RECORD: the highest position the simulator has served so far.
sent() { tail -n1 "$1" 2>/dev/null | cut -f1 | grep -E '^[0-9]+$' || echo 0; }
sent_past() { [ "$(sent "$1")" -ge "$2" ]; }
committed() { cut -f1 "$1" 2>/dev/null | grep -E '^[0-9]+$' || echo 0; }
committed_at() { [ "$(committed "$1")" -ge "$2" ]; }

# report_keys FILE: the dedup key of every incident report in the decoded
# messages (feed-watch --json) that reaches a queue, one line per message,
# as docs/ingest.md maps them.
report_keys() {
	sed -n \
		-e '/"type":"cap"/{/status=\(Actual\|Exercise\) msgType=\(Alert\|Update\)/s/.*identifier=\\"\([^\\]*\)\\" sender=\\"\([^\\]*\)\\".*/cap:\2,\1/p}' \
		-e '/"type":"open311"/{/status=\\"/!s/.*open311 id=\\"\([^\\]*\)\\".*/open311:\1/p;/status=\\"open\\"/s/.*open311 id=\\"\([^\\]*\)\\".*/open311:\1/p}' \
		-e '/"type":"incident"/s/.* dk=\\"\([^\\]*\)\\".*/\1/p' "$1"
}

tot_rw=0 tot_rs=0 tot_rl=0 tot_rd=0 tot_pw=0 tot_ps=0 tot_pl=0 tot_pd=0 tot_mw=0 tot_ms=0
for run in $(seq "$runs"); do
	db="t_$$_restart_$run"
	createdb -T "$CITYOPS_TEMPLATE" "$db"
	DBS+=("$db")
	export PGDATABASE=$db
	start=$(($(date +%s) * 1000))
	args=(--scenario typhoon --broken 3 --start "$start" --tick-ms 1000 --format native --count $n)
	record=$FEED_TMP/record.$run
	state=$FEED_TMP/state.$run
	log=$FEED_TMP/ingest.$run.log
	start_sim "sim$run" "${args[@]}" --rate $rate --hold --record "$record"
	url=$SIM_URL

	# Kill points: random stream positions up to 90 %, sorted; the first
	# of the first run within the first 2 %, before ingest has committed
	# a checkpoint. ($RANDOM in this shell, not a subshell: a subshell
	# reseeds it, and RESTART_SEED must replay a run.)
	points=
	for k in $(seq "$kills"); do
		if [ "$run" -eq 1 ] && [ "$k" -eq 1 ]; then
			points+="$((50 + RANDOM % (n / 50))) "
		else
			points+="$((n / 50 + (RANDOM * 32768 + RANDOM) % (n * 88 / 100))) "
		fi
	done
	points=$(printf '%s\n' $points | sort -n | tr '\n' ' ')
	ingest_pid=
	run_ingest() {
		# A kill may come before a run reaches the database: count the
		# starts that did, to know when this one has.
		ups=$(grep -c 'ingest: database up' "$log" 2>/dev/null || true)
		"$CITYOPS" ingest -U cityops_ingest --max-ahead-s 864000 --feed "$url" --state "$state" \
			>>"$log" 2>&1 &
		ingest_pid=$!
		FEED_PIDS+=("$ingest_pid")
	}
	run_ingest
	for p in $points; do
		wait_for 60 sent_past "$record" "$p" ||
			fail "run $run: the simulator never reached $p (at $(sent "$record")): $(tail -3 "$log")"
		kill -9 "$ingest_pid"
		wait "$ingest_pid" 2>/dev/null || true
		run_ingest
	done
	wait_for 90 committed_at "$state" $n ||
		fail "run $run: ingest committed $(committed "$state") of $n: $(tail -3 "$log")"
	# A run killed late may have committed the whole stream already:
	# the last ingest may have only just started.
	wait_for 30 ingest_ready "$log" $((ups + 1)) ||
		fail "run $run: ingest did not start: $(tail -3 "$log")"
	kill -TERM "$ingest_pid"
	wait "$ingest_pid" || fail "run $run: ingest did not stop cleanly"
	kill -TERM "$SIM_PID"
	wait "$SIM_PID" || true

	# What the simulator sent: its record, which must agree with the
	# deterministic stream (feed-sim --dump) at every position it names,
	# so the dump is what was sent, and a position never served is lost.
	p0=$(head -n1 "$record" | cut -f1)
	[ -n "$p0" ] || fail "run $run: the simulator served nothing"
	"$CITYOPS" feed-sim "${args[@]}" --dump --from "$p0" --count $((n - p0)) >"$FEED_TMP/dump"
	awk -F'\t' -v p0="$p0" 'NR == FNR { want[FNR - 1 + p0] = $0; next }
		{ m = substr($0, length($1) + 2)
		  # Heartbeats carry the wall clock of their sending.
		  if (!($1 in want) || (want[$1] != m && m !~ /^\{"t":"h",/)) bad++
		  else seen[$1] = 1 }
		END { for (k in seen) s++; print bad + 0, s + 0 }' \
		"$FEED_TMP/dump" "$record" >"$FEED_TMP/agree"
	read -r disagree served <"$FEED_TMP/agree"
	[ "$disagree" -eq 0 ] || fail "run $run: $disagree recorded messages differ from the stream"
	skipped=$((n - p0 - served))

	"$CITYOPS" feed-watch --json --file "$FEED_TMP/dump" >"$FEED_TMP/decoded"
	grep '"type":"reading"' "$FEED_TMP/decoded" | grep '"exercise":false' |
		grep -v '"key":"zz\.' |
		sed 's/.*"key":"\([^"]*\)","value":\([^,]*\),"ts":\([0-9]*\).*/\1,\2,\3/' \
			>"$FEED_TMP/want.csv"
	report_keys "$FEED_TMP/decoded" | sort | uniq -c |
		awk '{ print "\"" $2 "\"," $1 }' >"$FEED_TMP/reports.csv"
	[ "$(wc -l <"$FEED_TMP/want.csv")" -gt 5000 ] || fail "run $run: too few readings expected"
	[ "$(wc -l <"$FEED_TMP/reports.csv")" -ge 10 ] || fail "run $run: too few reports expected"

	psql -qAt -v ON_ERROR_STOP=1 >"$FEED_TMP/figures" <<SQL
CREATE TEMP TABLE want (k text, v float8, ms bigint);
\copy want FROM '$FEED_TMP/want.csv' WITH (FORMAT csv)
CREATE TEMP TABLE got AS SELECT indicator_id AS k, value::float8 AS v,
	(extract(epoch FROM at) * 1000)::bigint AS ms
	FROM cityops.reading WHERE at >= to_timestamp($start / 1000.0);
CREATE TEMP TABLE rwant (k text, n int);
\copy rwant FROM '$FEED_TMP/reports.csv' WITH (FORMAT csv)
CREATE TEMP TABLE rgot AS SELECT i.dedup_key AS k, count(*)::int AS incidents,
	sum((SELECT count(*) FROM cityops.incident_event e
		WHERE e.incident_id = i.id AND e.action = 'merge'))::int AS merges
	FROM cityops.incident i
	WHERE i.created_at >= to_timestamp($start / 1000.0) AND i.dedup_key NOT LIKE 'alarm:%'
	GROUP BY 1;
-- One line: readings expected stored lost extra; reports expected stored
-- lost doubled; merge rows expected stored; merge rows on alarm incidents.
SELECT concat_ws(' ', (SELECT count(*) FROM want), (SELECT count(*) FROM got),
	(SELECT count(*) FROM want w WHERE NOT EXISTS (SELECT 1 FROM got g
		WHERE g.k = w.k AND g.ms = w.ms AND abs(g.v - w.v) < 1e-9)),
	(SELECT count(*) FROM got g WHERE NOT EXISTS (SELECT 1 FROM want w
		WHERE g.k = w.k AND g.ms = w.ms)),
	(SELECT coalesce(sum(n), 0) FROM rwant),
	(SELECT coalesce(sum(incidents + merges), 0) FROM rgot),
	(SELECT coalesce(sum(greatest(w.n - coalesce(g.incidents + g.merges, 0), 0)), 0)
		FROM rwant w LEFT JOIN rgot g USING (k)),
	(SELECT coalesce(sum(greatest(g.incidents + g.merges - coalesce(w.n, 0), 0)
		+ greatest(g.incidents - 1, 0)), 0)
		FROM rgot g LEFT JOIN rwant w USING (k)),
	(SELECT coalesce(sum(n - 1), 0) FROM rwant),
	(SELECT coalesce(sum(merges), 0) FROM rgot),
	(SELECT count(*) FROM cityops.incident i JOIN cityops.incident_event e
		ON e.incident_id = i.id AND e.action = 'merge'
		WHERE i.dedup_key LIKE 'alarm:%' AND i.created_at >= to_timestamp($start / 1000.0)));
SELECT 'report ' || coalesce(w.k, g.k) || ': sent ' || coalesce(w.n, 0) || ', incidents ' ||
	coalesce(g.incidents, 0) || ', merge rows ' || coalesce(g.merges, 0)
	FROM rwant w FULL JOIN rgot g USING (k)
	WHERE coalesce(w.n, 0) <> coalesce(g.incidents + g.merges, 0) OR g.incidents > 1
	ORDER BY 1 LIMIT 12;
SQL
	read -r rw rs rl rx pw ps pl pd mw ms am <<<"$(head -n1 "$FEED_TMP/figures")"
	echo "run $run: kill -9 at $points(positions served from $p0, $skipped never sent)"
	echo "  readings expected $rw stored $rs lost $rl doubled/extra $rx"
	echo "  reports expected $pw stored $ps lost $pl doubled $pd; merge rows expected $mw stored $ms"
	tail -n +2 "$FEED_TMP/figures" | sed 's/^/  /'
	tot_rw=$((tot_rw + rw)) tot_rs=$((tot_rs + rs)) tot_rl=$((tot_rl + rl)) tot_rd=$((tot_rd + rx))
	tot_pw=$((tot_pw + pw)) tot_ps=$((tot_ps + ps)) tot_pl=$((tot_pl + pl)) tot_pd=$((tot_pd + pd))
	tot_mw=$((tot_mw + mw)) tot_ms=$((tot_ms + ms)) tot_skip=$((${tot_skip:-0} + skipped))
	[ "$am" -eq 0 ] || fail "run $run: an alarm incident got $am merge rows"
	kill_count=$((${kill_count:-0} + kills))
	if [ "$rl" -ne 0 ] || [ "$rx" -ne 0 ] || [ "$pl" -ne 0 ] || [ "$pd" -ne 0 ] ||
		[ "$mw" -ne "$ms" ] || [ "$skipped" -ne 0 ]; then
		bad=1
	fi
done
echo "total: $runs runs x $kills kills; readings expected $tot_rw stored $tot_rs lost $tot_rl doubled/extra $tot_rd;" \
	"reports expected $tot_pw stored $tot_ps lost $tot_pl doubled $tot_pd;" \
	"merge rows expected $tot_mw stored $tot_ms; positions never sent $tot_skip"
[ -z "${bad:-}" ] || fail "a restart lost or doubled data (figures above)"
echo "ok: nothing lost, nothing doubled over $kill_count kill -9 restarts"
