#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# feed-sim's push transports against the real ingest binary:
#   A. `feed-sim --mqtt` publishes the typhoon's readings (NGSI-LD where
#      mapped, native JSON otherwise) through Debian's mosquitto, started
#      here on a loopback port as the unprivileged mosquitto user;
#   B. the same readings as IoT Agent UltraLight 2.0 (`--ul KEY`, topics
#      /ul/KEY/INDICATOR/attrs);
#   C. `feed-sim --ngsi-post` POSTs the NGSI-LD notifications to
#      `ingest --ngsi-listen` with the HTTP client (http-client.c).
# In each phase ingest is killed with SIGKILL at a random moment while the
# stream arrives and started again: MQTT keeps the session, and a POST that
# found no endpoint is sent again by feed-sim. Then the database must hold
# exactly the readings of the stream (feed-sim --dump of the same
# positions), by indicator, observed time and value: none missing, none
# extra. PUSH_N overrides 1700 messages a phase; PUSH_SEED replays a run.
. "$(dirname "$0")/feed-lib"
need_db
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || fail "mosquitto (Debian package) is needed"
DB="t_$$_push"
trap 'kill -9 "$(cat "$FEED_TMP/pid" 2>/dev/null)" 2>/dev/null || true; feed_cleanup; dropdb --force --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$DB"
export PGDATABASE=$DB
n=${PUSH_N:-1700}
seed=${PUSH_SEED:-$$}
RANDOM=$seed
echo "sim-push: seed $seed, $n messages a phase"
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }

start_mosquitto
# A port for the notification endpoint that stays the same across restarts.
NPORT=
for _ in 1 2 3 4 5 6 7 8; do
	p=$((20000 + RANDOM % 30000))
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { NPORT=$p; break; }
done
[ -n "$NPORT" ] || fail "no free port found"

LOG=$FEED_TMP/ingest.log
: >"$LOG"
ready() { [ "$(grep -c "subscribing to '#'" "$LOG" || true)" -gt "$1" ] &&
	[ "$(grep -c 'NGSI-LD notifications on' "$LOG" || true)" -gt "$1" ]; }
starts=0
start_ingest() {
	"$CITYOPS" ingest --mqtt "mqtt://127.0.0.1:$BPORT/#" --mqtt-id "cityops-simpush-$$" \
		--ngsi-listen "127.0.0.1:$NPORT/ngsi-ld/notify" \
		--state "$FEED_TMP/state" --spool "$FEED_TMP/spool" --flush-ms 50 --log - >>"$LOG" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
	echo "$ingest_pid" >"$FEED_TMP/pid"
	wait_for 60 ready "$starts" || { tail -20 "$LOG" >&2; fail "ingest did not start"; }
	starts=$((starts + 1))
}

# The readings of positions 0..n-1 from START: indicator, kind (n: epoch
# ms, i: ISO time), time, value. NGSI-LD entities are placed through the
# mapping table, as ingest places them.
q "select entity_id || '|' || attribute, indicator_id from cityops.entity_map" | tr '|' '\t' |
	awk -F'\t' '{ print $1 "|" $2 "\t" $3 }' >"$FEED_TMP/map"
expected() {
	"$CITYOPS" feed-sim --dump -s typhoon -F push --start "$1" --tick-ms 1000 -n "$n" |
		awk -v mapf="$FEED_TMP/map" -v only="$2" '
		BEGIN { while ((getline l < mapf) > 0) { split(l, f, "\t"); m[f[1]] = f[2] } }
		function grab(s, re) { return match(s, re) ? substr(s, RSTART, RLENGTH) : "" }
		/"t":"r"/ { if (only == "ngsi") next
			i = grab($0, "\"i\":\"[^\"]*\""); v = grab($0, "\"v\":[-0-9.]+"); t = grab($0, "\"ts\":[0-9]+")
			print substr(i, 6, length(i) - 6) "\tn\t" substr(t, 6) "\t" substr(v, 5); next }
		/"type":"Notification"/ { if (only == "native") next
			e = grab($0, "\"data\":[[][{]\"id\":\"[^\"]*\""); e = substr(e, 16, length(e) - 16)
			a = grab($0, "\"type\":\"[A-Za-z]*\",\"[A-Za-z0-9]*\":[{]"); sub(/^"type":"[A-Za-z]*","/, "", a); sub(/":[{]$/, "", a)
			v = grab($0, "\"value\":[-0-9.]+"); t = grab($0, "\"observedAt\":\"[^\"]*\"")
			print m[e "|" a] "\ti\t" substr(t, 15, length(t) - 15) "\t" substr(v, 9) }'
}
# The same rows as the database holds them, both sides normalised by SQL.
compare() { # compare NAME START ONLY
	local name=$1 from to
	expected "$2" "$3" >"$FEED_TMP/$name.want"
	from=$(($2 / 1000))
	to=$((from + n))
	psql -qAt -v ON_ERROR_STOP=1 >"$FEED_TMP/$name.diff" <<SQL || fail "$name: comparison failed"
create temp table w (ind text, kind text, t text, v float8);
\copy w from '$FEED_TMP/$name.want'
with want as (
	select ind, case kind when 'n' then to_timestamp(t::bigint / 1000.0) else t::timestamptz end as at,
	       round(v::numeric, 3) as v from w),
got as (
	select indicator_id as ind, at, round(value::numeric, 3) as v from cityops.reading
	where indicator_id like 'fx.%' and at >= to_timestamp($from) and at < to_timestamp($to))
(select 'missing', * from want except all select 'missing', * from got)
union all
(select 'extra', * from got except all select 'extra', * from want)
order by 1, 3 limit 10;
SQL
	[ ! -s "$FEED_TMP/$name.diff" ] || { cat "$FEED_TMP/$name.diff" >&2; fail "$name: the database differs from the stream"; }
	echo "sim-push: $name ok ($(wc -l <"$FEED_TMP/$name.want") readings, each once)"
}
in_range() { q "select count(*) from cityops.reading where indicator_id like 'fx.%' and at >= to_timestamp($(($1 / 1000))) and at < to_timestamp($(($1 / 1000 + n)))"; }
has() { [ "$(in_range "$1")" -ge "$2" ]; }

# run_phase NAME START ONLY ARGS...: feed-sim pushes n messages while
# ingest is killed once at a random moment and started again.
run_phase() {
	local name=$1 start=$2 only=$3 sim want
	shift 3
	"$CITYOPS" feed-sim -s typhoon -F push --start "$start" --tick-ms 1000 -n "$n" \
		--rate 2000 --record "$FEED_TMP/$name.rec" "$@" >/dev/null 2>"$FEED_TMP/$name.sim.log" &
	sim=$!
	FEED_PIDS+=("$sim")
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 "$ingest_pid" 2>/dev/null || true
	wait "$ingest_pid" 2>/dev/null || true
	start_ingest
	wait_for 120 eval '! kill -0 "$sim" 2>/dev/null' || fail "$name: feed-sim did not finish"
	wait "$sim" || { cat "$FEED_TMP/$name.sim.log" >&2; fail "$name: feed-sim failed"; }
	grep -q 'stream end sent and acknowledged' "$FEED_TMP/$name.sim.log" ||
		{ cat "$FEED_TMP/$name.sim.log" >&2; fail "$name: feed-sim did not finish the stream"; }
	want=$(expected "$start" "$only" | wc -l)
	wait_for 90 has "$start" "$want" || true
	compare "$name" "$start" "$only"
}

start_ingest
# A: native JSON and NGSI-LD entities on one topic (2016-06-01).
run_phase mqtt-json 1464739200000 all --mqtt "mqtt://127.0.0.1:$BPORT/cityops/typhoon"
# B: UltraLight 2.0; the IoT Agent's service group "fxul" names the device
# by indicator, its measure "v" feeds that indicator (2016-07-01).
loads=$(grep -c 'entity mapping loaded' "$LOG" || true)
q "select cityops.entity_map_set('fxul', i, 'v', i) from unnest(array['fx.river','fx.rain','fx.wind',
	'fx.pond.nanqiao','fx.pond.fengcheng','fx.pond.jinhai','fx.tpi','fx.hotline','fx.load']) i" >/dev/null
# The mapping's NOTIFY has the running ingest read it again (no restart).
wait_for 60 bash -c "[ \$(grep -c 'entity mapping loaded' '$LOG') -gt $loads ]" ||
	fail "ingest did not reload the mapping after entity_map_set: $(tail -5 "$LOG")"
run_phase mqtt-ul 1467331200000 native --mqtt "mqtt://127.0.0.1:$BPORT/cityops/ul" --ul fxul
# C: NGSI-LD notifications POSTed, ?subscriptionId= as Orion-LD (2016-08-01).
run_phase ngsi-post 1470009600000 ngsi \
	--ngsi-post "http://127.0.0.1:$NPORT/ngsi-ld/notify?subscriptionId=urn:ngsi-ld:Subscription:feed-sim"
grep -q 'retried [1-9]' "$FEED_TMP/ngsi-post.sim.log" &&
	echo "sim-push: ngsi-post resent $(sed -n 's/.*retried \([0-9]*\).*/\1/p' "$FEED_TMP/ngsi-post.sim.log") POSTs that found ingest down"
kill -TERM "$ingest_pid"
wait_for 30 eval '! kill -0 "$ingest_pid" 2>/dev/null' || fail "ingest did not stop"
echo "sim-push: ok"
