# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Sourced by tests/screen/*.sh (after tests/lib.sh and scratch_db): runs the
# real console in a private tmux server of a fixed size and waits, with a
# bound, for what a user would see. Never a fixed sleep as an assertion.

SCREEN_SOCK="cityops-test-$$-${RANDOM}"
SCREEN_HOME=$(mktemp -d)
SCREEN_TIMEOUT=${SCREEN_TIMEOUT:-20}

tm() { tmux -L "$SCREEN_SOCK" -f /dev/null "$@"; }

screen_cleanup() {
	tm kill-server >/dev/null 2>&1 || true
	rm -rf "$SCREEN_HOME"
	dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true
}
trap screen_cleanup EXIT

# screen_start COLS ROWS [ENV=VALUE...] -- [cityops args...]
screen_start() {
	local cols=$1 rows=$2 envs=() cmd
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = "--" ] && shift
	cmd=$(printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color \
		HOME="$SCREEN_HOME" XDG_STATE_HOME="$SCREEN_HOME/state" \
		XDG_CONFIG_HOME="$SCREEN_HOME/config" PGHOST="$PGHOST" \
		PGDATABASE="$PGDATABASE" PGTZ="${PGTZ:-Asia/Shanghai}" \
		${PGPORT:+PGPORT="$PGPORT"} "${envs[@]}" \
		"$CITYOPS" --log "$SCREEN_HOME/cityops.log" "$@")
	tm new-session -d -x "$cols" -y "$rows" \
		"$cmd; echo \"EXIT=\$?\" >$SCREEN_HOME/exit; sleep 600"
	tm set-option -g window-size manual >/dev/null 2>&1 || true
}

screen() { tm capture-pane -p; }
screen_raw() { tm capture-pane -p -e; }
keys() { tm send-keys "$@"; }
# Types text literally (no key-name lookup), for the prompt.
type_text() { tm send-keys -l -- "$1"; }

# wait_for PATTERN [SECONDS]: polls the screen until grep -E finds PATTERN.
wait_for() {
	local pat=$1 limit=${2:-$SCREEN_TIMEOUT} end
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		if screen | grep -E -- "$pat" >/dev/null; then return 0; fi
		sleep 0.1
	done
	fail "timed out waiting for /$pat/ on screen:
$(screen)
--- log:
$(tail -20 "$SCREEN_HOME/cityops.log" 2>/dev/null)"
}

# wait_gone PATTERN [SECONDS]
wait_gone() {
	local pat=$1 limit=${2:-$SCREEN_TIMEOUT} end
	end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		if ! screen | grep -E -- "$pat" >/dev/null; then return 0; fi
		sleep 0.1
	done
	fail "timed out waiting for /$pat/ to go:
$(screen)"
}

# screen_quit: q then y; the console must exit with status 0.
screen_quit() {
	local end=$((SECONDS + SCREEN_TIMEOUT))
	keys q
	wait_for '退出控制台\? \(y/n\)'
	keys y
	while [ ! -s "$SCREEN_HOME/exit" ] && [ $SECONDS -le $end ]; do sleep 0.1; done
	grep -q 'EXIT=0' "$SCREEN_HOME/exit" 2>/dev/null ||
		fail "console did not exit cleanly: $(cat "$SCREEN_HOME/exit" 2>/dev/null)
$(screen)"
}

co() { "$CITYOPS" --headless "$@"; }

# screen_stop: ends this tmux server, to start another console afresh.
screen_stop() {
	tm kill-server >/dev/null 2>&1 || true
	rm -f "$SCREEN_HOME/exit"
	# A server that is still going away must not take the next
	# screen_start's client with it ("server exited unexpectedly"): the
	# next one gets a socket of its own.
	SCREEN_SOCK="cityops-test-$$-${RANDOM}-${RANDOM}"
}

# screen_has PATTERN: the screen shows it now. (Reads the whole capture:
# grep -q would close the pipe early and trip pipefail.)
screen_has() {
	screen | grep -E -- "$1" >/dev/null || fail "expected /$1/ on screen:
$(screen)"
}
