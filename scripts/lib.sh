# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Shared by the scripts in this folder: paths, package set-up and the build.
# Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

# Debian packages the project needs to build, test and run.
PACKAGES=(build-essential cmake pkg-config clang tmux
	libncurses-dev libpq-dev libwebsockets-dev libcjson-dev libreadline-dev libexpat1-dev postgresql-15 postgresql-15-pgtap postgresql-contrib postgresql-15-auto-failover pg-auto-failover-cli pgbouncer libmosquitto-dev mosquitto mosquitto-clients debhelper lintian bash-completion man-db systemd)

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

# demo_feeds CITYOPS DIR: the demo's live feeds, in the background: the
# typhoon simulator on a free port and the ingest daemon, logging into DIR
# (feed-sim.url, feed-sim.log, ingest.log). ingest logs in as
# cityops_ingest whatever PGUSER says: the event log names who raised each
# incident, and the cluster superuser is nobody's operator. Sets DEMO_SIM
# and DEMO_INGEST (pids) and DEMO_URL; returns 1, DEMO_URL empty, when the
# simulator did not start.
demo_feeds() {
	local cityops=$1 dir=$2 _
	mkdir -p "$dir"
	DEMO_INGEST= DEMO_URL=
	"$cityops" feed-sim --scenario typhoon --rate "${CITYOPS_DEMO_RATE:-20}" \
		--port 0 >"$dir/feed-sim.url" 2>"$dir/feed-sim.log" &
	DEMO_SIM=$!
	for _ in $(seq 50); do
		DEMO_URL=$(head -n1 "$dir/feed-sim.url" 2>/dev/null || true)
		[ -n "$DEMO_URL" ] && break
		sleep 0.1
	done
	[ -n "$DEMO_URL" ] || return 1
	"$cityops" ingest -U cityops_ingest --feed "$DEMO_URL" \
		--state "$dir/ingest-$$.state" 2>"$dir/ingest.log" &
	DEMO_INGEST=$!
}
