# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Alarms across two consoles (issue 14): both show the count of
# unacknowledged alarm-level alarms in the status line; A opens the alarm
# board, unacknowledged alarm-level rows first; the ack key on the first
# console acknowledges the selected alarm; the second console's count and
# board follow at once (NOTIFY), naming who acknowledged.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

# The second console runs in its own tmux server.
SOCK2="cityops-test-$$-2-${RANDOM}"
tm2() { tmux -L "$SOCK2" -f /dev/null "$@"; }
trap 'tm2 kill-server >/dev/null 2>&1 || true; screen_cleanup' EXIT
cmd=$(printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color \
	HOME="$SCREEN_HOME" XDG_STATE_HOME="$SCREEN_HOME/state2" \
	XDG_CONFIG_HOME="$SCREEN_HOME/config2" PGHOST="$PGHOST" \
	PGDATABASE="$PGDATABASE" PGTZ="${PGTZ:-Asia/Shanghai}" \
	${PGPORT:+PGPORT="$PGPORT"} "$CITYOPS" -U super_fx)
tm2 new-session -d -x 140 -y 36 "$cmd; sleep 600"
wait2() {
	local end=$((SECONDS + SCREEN_TIMEOUT))
	while [ $SECONDS -le $end ]; do
		if tm2 capture-pane -p | grep -E -- "$1" >/dev/null; then return 0; fi
		sleep 0.1
	done
	fail "second console: timed out waiting for /$1/:
$(tm2 capture-pane -p)"
}

screen_start 140 36 -- -U officer_fx
wait_for '告警未确认 2'
wait2 '告警未确认 2'
keys A
wait_for '共 5 条告警，2 条告警级未确认'
# The two alarm-level rows come first, unacknowledged.
screen | grep -E '^(!!|!) ' | head -2 | grep -c '未确认' | grep -qx 2 ||
	fail "the unacknowledged alarm-level rows are not first:
$(screen)"
first=$(screen | grep -E '^!! ' | head -1 | awk '{print $3}')
[ -n "$first" ] || fail "no alarm row"
keys a
wait_for "» 告警 [0-9]+ $first 已由 officer_fx 确认"
wait_for '共 5 条告警，1 条告警级未确认'
wait_for '告警未确认 1'
# The other console, same scope, follows without a key pressed.
wait2 '告警未确认 1'
tm2 send-keys A
wait2 "$first .* officer_fx"
[ "$(psql -qAtc "select acknowledged_by from cityops.alarm where indicator_id = '$first'")" = officer_fx ] ||
	fail "the database does not have the acknowledgement"
screen_quit
echo ok
