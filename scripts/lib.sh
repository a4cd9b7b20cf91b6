# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Shared by the scripts in this folder: paths, package set-up and the build.
# Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

# Debian packages the project needs to build, test and run.
PACKAGES=(build-essential cmake pkg-config clang tmux
	strace libncurses-dev libpq-dev libwebsockets-dev libcjson-dev libreadline-dev libexpat1-dev postgresql-15 postgresql-15-pgtap postgresql-contrib postgresql-15-auto-failover pg-auto-failover-cli pgbouncer libmosquitto-dev mosquitto mosquitto-clients openssh-server openssh-client debhelper lintian bash-completion man-db systemd)

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Installs what is missing with apt-get when root; otherwise prints the exact
# command and stops.
ensure_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages: ${missing[*]}"
		say "install them with:"
		say "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
		exit 1
	fi
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || die "apt-get update failed"
	apt-get install -y -q "${missing[@]}" >&2 || die "apt-get install failed"
}

# build DIR [cmake options...]: configures once, then builds.
build() {
	local dir=$1
	shift
	if [ ! -f "$dir/CMakeCache.txt" ]; then
		cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >&2 ||
			die "cmake configure failed"
	fi
	cmake --build "$dir" -j "$(nproc)" >&2 || die "build failed"
}

# demo_wait_url FILE: the first line of FILE once a simulator wrote it.
demo_wait_url() {
	local _ url=
	for _ in $(seq 100); do
		url=$(head -n1 "$1" 2>/dev/null || true)
		[ -n "$url" ] && break
		sleep 0.1
	done
	printf '%s' "$url"
}

# demo_broker DIR: Debian's mosquitto on a free loopback port, as the
# unprivileged mosquitto user when root (as devdb runs postgres); sets
# DEMO_BROKER_PORT and adds its pid to DEMO_PIDS; returns 1 without it.
demo_broker() {
	local dir=$1 mosq conf _ try port pid
	mosq=$(command -v mosquitto || echo /usr/sbin/mosquitto)
	[ -x "$mosq" ] || return 1
	conf=$(mktemp -d)
	chmod 755 "$conf"
	for try in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 30000))
		printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nlog_dest stderr\n' \
			"$port" >"$conf/mosquitto.conf"
		chmod 644 "$conf/mosquitto.conf"
		if [ "$(id -u)" -eq 0 ]; then
			runuser -u mosquitto -- "$mosq" -c "$conf/mosquitto.conf" 2>"$dir/mosquitto.log" &
		else
			"$mosq" -c "$conf/mosquitto.conf" 2>"$dir/mosquitto.log" &
		fi
		pid=$!
		for _ in $(seq 50); do
			grep -q "listen socket on port $port" "$dir/mosquitto.log" 2>/dev/null && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if grep -q "listen socket on port $port" "$dir/mosquitto.log" && kill -0 "$pid" 2>/dev/null; then
			DEMO_PIDS="$DEMO_PIDS $pid" DEMO_BROKER_PORT=$port
			rm -rf "$conf"
			return 0
		fi
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$conf"
	return 1
}

# demo_feeds CITYOPS DIR: the demo's live feeds, in the background, the
# typhoon over 奉贤 through the transports a city's systems use, logging
# into DIR (*.url, *.log, ingest.log):
#   - feed-sim's websocket stream (DEMO_URL), for the console's --feed;
#   - feed-sim --http: the meteorological bureau's CAP alerts as an Atom
#     index of CAP 1.2 XML documents, and the 12345 hotline's Open311
#     requests.json, polled by ingest (--cap, --open311);
#   - mosquitto and feed-sim --mqtt: the sensors' readings (NGSI-LD where
#     mapped, native otherwise) and the NGSI-LD and native timed messages,
#     subscribed to by ingest (--mqtt). Without mosquitto, ingest reads the
#     websocket stream for them instead (said in DIR/feeds.txt).
# ingest logs in as cityops_ingest whatever PGUSER says: the event log
# names who raised each incident, and the cluster superuser is nobody's
# operator. Sets DEMO_SIM (the websocket simulator), DEMO_INGEST, DEMO_URL
# and DEMO_PIDS (every process started); returns 1, DEMO_URL empty, when
# the websocket simulator did not start. CITYOPS_DEMO_RATE (messages/s,
# default 20) and CITYOPS_DEMO_POLL (s, default 10) pace it.
demo_feeds() {
	local cityops=$1 dir=$2 rate=${CITYOPS_DEMO_RATE:-20} poll=${CITYOPS_DEMO_POLL:-10}
	local http args=()
	mkdir -p "$dir"
	DEMO_INGEST= DEMO_URL= DEMO_PIDS=
	"$cityops" feed-sim --scenario typhoon --rate "$rate" \
		--port 0 >"$dir/feed-sim.url" 2>"$dir/feed-sim.log" &
	DEMO_SIM=$!
	DEMO_PIDS=$DEMO_SIM
	DEMO_URL=$(demo_wait_url "$dir/feed-sim.url")
	[ -n "$DEMO_URL" ] || return 1
	"$cityops" feed-sim --scenario typhoon --rate "$rate" --http \
		--port 0 >"$dir/feed-sim-http.url" 2>"$dir/feed-sim-http.log" &
	DEMO_PIDS="$DEMO_PIDS $!"
	http=$(demo_wait_url "$dir/feed-sim-http.url")
	if [ -n "$http" ]; then
		args+=(--cap "${http}cap/index.atom" --open311 "${http}open311/requests.json"
			--poll-interval "$poll" --poll-min "$poll")
		echo "cap: ${http}cap/index.atom; open311: ${http}open311/requests.json" >"$dir/feeds.txt"
	fi
	if demo_broker "$dir"; then
		"$cityops" feed-sim --scenario typhoon --rate "$rate" --format push \
			--mqtt "mqtt://127.0.0.1:$DEMO_BROKER_PORT/cityops/typhoon" \
			2>"$dir/feed-sim-mqtt.log" &
		DEMO_PIDS="$DEMO_PIDS $!"
		args+=(--mqtt "mqtt://127.0.0.1:$DEMO_BROKER_PORT/cityops/#" --mqtt-id "cityops-demo-$$")
		echo "mqtt: mqtt://127.0.0.1:$DEMO_BROKER_PORT/cityops/typhoon" >>"$dir/feeds.txt"
	else
		args+=(--feed "$DEMO_URL")
		echo "mqtt: no mosquitto; readings over $DEMO_URL" >>"$dir/feeds.txt"
	fi
	"$cityops" ingest -U cityops_ingest "${args[@]}" \
		--state "$dir/ingest-$$.state" 2>"$dir/ingest.log" &
	DEMO_INGEST=$!
	DEMO_PIDS="$DEMO_PIDS $DEMO_INGEST"
}
