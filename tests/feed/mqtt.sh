#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# MQTT into `cityops ingest --mqtt`, through Debian's mosquitto broker
# started here on a loopback port (as the unprivileged mosquitto user when
# run as root). Three payload kinds, each on its own topic: FIWARE IoT
# Agent UltraLight 2.0 and JSON measures (fixtures/public/ultralight/) and
# NGSI-LD notifications (fixtures/public/ngsi/), published with
# mosquitto_pub at QoS 1:
#   1. ingest runs and subscribes (QoS 1, clean session off);
#   2. the first part is published; ingest is killed with SIGKILL at a
#      random moment while it arrives;
#   3. the second part is published while ingest is down;
#   4. ingest is restarted, the rest is published.
# Then the database must hold every message's reading exactly once: what
# was published while ingest was down came after the restart (the broker
# kept the session), and nothing acknowledged before the kill was lost.
# MQTT_N overrides 240 messages; MQTT_SEED replays a run.
. "$(dirname "$0")/feed-lib"
need_db
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || fail "mosquitto (Debian package) is needed"
command -v mosquitto_pub >/dev/null || fail "mosquitto_pub (mosquitto-clients) is needed"
MOSQ=$(command -v mosquitto || echo /usr/sbin/mosquitto)
DB="t_$$_mqtt"
trap 'kill "$(cat "$FEED_TMP/pid" 2>/dev/null)" 2>/dev/null || true; feed_cleanup; dropdb --force --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$DB"
export PGDATABASE=$DB
n=${MQTT_N:-240}
seed=${MQTT_SEED:-$$}
RANDOM=$seed
echo "mqtt: seed $seed, $n messages"
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
q "select cityops.entity_map_set('4jggokgpepnvsb2uv4s40d59ov', 'motion001', 'c', 'cm.crowd')" >/dev/null
q "select cityops.entity_map_set('4jggokgpepnvsb2uv4s40d59ov', 'motion002', 'c', 'cn.crowd')" >/dev/null
q "select cityops.entity_map_set('AirQualityObserved', 'urn:ngsi-ld:AirQualityObserved:Madrid-AmbientObserved-28079004', 'pm25', 'bs.pm25')" >/dev/null
q "select cityops.entity_map_set('WeatherObserved', 'urn:ngsi-ld:WeatherObserved:Spain-WeatherObserved-Valladolid-2016-11-30T07:00:00.00Z', 'windSpeed', 'bs.wind')" >/dev/null

# ---- the broker ----------------------------------------------------------
chmod 755 "$FEED_TMP"
start_broker() {
	local try
	for try in 1 2 3 4 5; do
		BPORT=$((20000 + RANDOM % 30000))
		cat >"$FEED_TMP/mosquitto.conf" <<CONF
listener $BPORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_inflight_messages 100
log_dest stderr
CONF
		chmod 644 "$FEED_TMP/mosquitto.conf"
		if [ "$(id -u)" -eq 0 ]; then
			runuser -u mosquitto -- "$MOSQ" -c "$FEED_TMP/mosquitto.conf" 2>"$FEED_TMP/broker.log" &
		else
			"$MOSQ" -c "$FEED_TMP/mosquitto.conf" 2>"$FEED_TMP/broker.log" &
		fi
		FEED_PIDS+=($!)
		wait_for 5 grep -q "Opening ipv4 listen socket on port $BPORT" "$FEED_TMP/broker.log" &&
			! grep -qi "error" "$FEED_TMP/broker.log" && return 0
	done
	cat "$FEED_TMP/broker.log" >&2
	fail "mosquitto did not start"
}
start_broker

# ---- messages -------------------------------------------------------------
# Message I goes to topic I % 3 with observed time at(I).
UL=$(dirname "$0")/fixtures/public/ultralight
NG=$(dirname "$0")/fixtures/public/ngsi
topics=(/ul/4jggokgpepnvsb2uv4s40d59ov/motion001/attrs /json/4jggokgpepnvsb2uv4s40d59ov/motion002/attrs cityops/ngsi/notifications)
at() { printf '2016-03-16T08:%02d:%02d.%03dZ' $(($1 / 60 % 60)) $(($1 % 60)) $((200 + $1 % 7)); }
# lines FROM TO KIND: the payloads of messages FROM..TO-1 of kind KIND,
# one a line (mosquitto_pub -l publishes each line as a message).
lines() {
	awk -v from="$1" -v to="$2" -v kind="$3" -v ul="$UL/ul-motion.txt" \
		-v js="$UL/json-motion.json" -v ng="$NG/notification-ldjson.json" '
	function slurp(f,   l, t) { t = ""; while ((getline l < f) > 0) t = t l; close(f); return t }
	BEGIN {
		tpl = kind == 0 ? slurp(ul) : kind == 1 ? slurp(js) : slurp(ng)
		for (i = from; i < to; i++) {
			if (i % 3 != kind) continue
			t = tpl
			at = sprintf("2016-03-16T08:%02d:%02d.%03dZ", int(i / 60) % 60, i % 60, 200 + i % 7)
			gsub(/@AT@/, at, t); gsub(/@SEQ@/, i, t); gsub(/@V@/, i, t)
			gsub(/@V1@/, i, t); gsub(/@V2@/, i ".5", t)
			print t
		}
	}'
}
publish() { # publish FROM TO: every message in order of kind, QoS 1
	local k
	for k in 0 1 2; do
		lines "$1" "$2" "$k" | mosquitto_pub -h 127.0.0.1 -p "$BPORT" -q 1 -i "cityops-test-pub-$k" \
			-t "${topics[$k]}" -l || fail "mosquitto_pub failed"
	done
}

LOG=$FEED_TMP/ingest.log
: >"$LOG"
subscribed() { [ "$(grep -c "subscribing to '#'" "$LOG" || true)" -gt "$1" ]; }
start_ingest() {
	local before
	before=$(grep -c "subscribing to '#'" "$LOG" || true)
	"$CITYOPS" ingest --mqtt "mqtt://127.0.0.1:$BPORT/#" --mqtt-id "cityops-test-$$" \
		--state "$FEED_TMP/state" --spool "$FEED_TMP/spool" --flush-ms 50 --log - >>"$LOG" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
	echo "$ingest_pid" >"$FEED_TMP/pid"
	wait_for 30 subscribed "$before" || { cat "$LOG" >&2; fail "ingest did not subscribe"; }
}
in_db() { q "select count(*) from cityops.reading where indicator_id in ('cm.crowd','cn.crowd','bs.pm25','bs.wind') and at >= '2016-03-16 08:00Z' and at < '2016-03-16 09:00Z'"; }
# Readings a message of kind K makes: one (UL, JSON) or two (NGSI-LD).
expected() { awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i < b; i++) t += i % 3 == 2 ? 2 : 1; print t + 0 }'; }

start_ingest
a=$((n / 3)) b=$((2 * n / 3))
# 2. Published while ingest runs, killed at a random moment meanwhile.
(sleep "0.$((RANDOM % 9 + 1))"; kill -9 "$ingest_pid" 2>/dev/null) &
killer=$!
publish 0 "$a"
wait "$killer" || true
kill -9 "$ingest_pid" 2>/dev/null || true
wait "$ingest_pid" 2>/dev/null || true
before_down=$(in_db)
# 3. Published while ingest is down: the broker keeps them for the session.
publish "$a" "$b"
[ "$(in_db)" = "$before_down" ] || fail "readings arrived while ingest was down"
# 4. Back up; the rest.
start_ingest
publish "$b" "$n"
want=$(expected 0 "$n")
db_has() { [ "$(in_db)" -ge "$1" ]; }
wait_for 60 db_has "$want" || true
got=$(in_db)
[ "$got" = "$want" ] || { grep -E 'warn|error|mqtt' "$LOG" | tail -20 >&2; fail "the database holds $got readings, expected $want"; }
# Every message's own reading, by indicator, time and value.
awk -v n="$n" 'BEGIN {
	for (i = 0; i < n; i++) {
		at = sprintf("2016-03-16T08:%02d:%02d.%03dZ", int(i / 60) % 60, i % 60, 200 + i % 7)
		if (i % 3 == 0) printf "cm.crowd\t%s\t%s\n", at, i
		else if (i % 3 == 1) printf "cn.crowd\t%s\t%s\n", at, i
		# windSpeed is m/s by its Smart Data Model; bs.wind is km/h.
		else printf "bs.pm25\t%s\t%s\nbs.wind\t%s\t%s\n", at, i, at, (i + 0.5) * 3.6
	}
}' | sort >"$FEED_TMP/sent"
q "select indicator_id, to_char(at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), round(value::numeric, 6)::float8
   from cityops.reading where indicator_id in ('cm.crowd','cn.crowd','bs.pm25','bs.wind')
   and at >= '2016-03-16 08:00Z' and at < '2016-03-16 09:00Z'" | tr '|' '\t' | sort >"$FEED_TMP/stored"
diff "$FEED_TMP/sent" "$FEED_TMP/stored" >"$FEED_TMP/diff" || { head "$FEED_TMP/diff" >&2; fail "stored readings differ from those published"; }
kill -TERM "$ingest_pid"
wait_for 20 eval '! kill -0 "$ingest_pid" 2>/dev/null' || fail "ingest did not stop"
left=$(cat "$FEED_TMP"/spool/*.spool 2>/dev/null | wc -c)
[ "$left" -eq 0 ] || fail "the spool still holds $left bytes after a clean stop"
echo "mqtt: ok ($want readings from $n messages, each once; $before_down stored before the kill)"
