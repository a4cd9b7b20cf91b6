# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The alarms pane (issue 14): at 160x45 it joins the layout by itself
# (config "alarms auto"), unacknowledged alarm-level alarms first; with the
# pane focused, a acknowledges the selected alarm, and the pane shows who.
# "alarms off" leaves it out; "alarms on" puts it in a 120x30 layout that
# auto leaves it out of.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 160 45 -- -U officer_fx
wait_for '告警  未确认 2 · 共 5'
# The first two rows are the unacknowledged alarm-level ones.
first=$(screen | grep -E '^(!!|! ) ' | head -1)
case $first in '!! 告警 '*未确认*) ;; *) fail "first alarm row: $first
$(screen)" ;; esac
ind=$(printf '%s\n' "$first" | awk '{print $3}')
# Shift-Tab from the queue focuses the last pane: the alarms.
keys BTab
keys a
wait_for "» 告警 [0-9]+ $ind 已由 officer_fx 确认"
wait_for '告警  未确认 1 · 共 5'
wait_for "$ind .* officer_fx"
[ "$(psql -qAtc "select acknowledged_by from cityops.alarm where indicator_id = '$ind'")" = officer_fx ] ||
	fail "the database does not have the acknowledgement"
screen_quit
screen_stop

mkdir -p "$SCREEN_HOME/config/cityops"
echo 'alarms off' >"$SCREEN_HOME/config/cityops/config"
screen_start 160 45 -- -U officer_fx
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
wait_for '动态'
if screen | grep -E '告警  未确认' >/dev/null; then fail "alarms off, pane shown:
$(screen)"; fi
screen_quit
screen_stop

screen_start 120 30 -- -U officer_fx
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
wait_for '动态'
if screen | grep -E '告警  未确认' >/dev/null; then fail "auto at 120x30 shows the pane:
$(screen)"; fi
screen_quit
screen_stop

echo 'alarms on' >"$SCREEN_HOME/config/cityops/config"
screen_start 120 30 -- -U officer_fx
wait_for '告警  未确认 1 · 共 5'
screen_quit
echo ok
