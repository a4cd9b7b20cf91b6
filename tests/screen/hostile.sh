# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Untrusted text cannot reach the terminal as control: an incident titled
# with escape sequences, an OSC title change and bidi overrides shows as
# plain text, and the terminal's title is unchanged.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 140 36 -- -U super_city
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
tm set-option -g set-titles on >/dev/null 2>&1 || true
title_before=$(tm display-message -p '#{pane_title}')
evil=$'恶意\e[2J\e]0;PWNED\a\e[31m红\u202e反转\u2066隔离\u009b1m结束'
ref=$(co -U super_city --json -c "raise fire 1 南桥镇 '$evil'" | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise failed"
wait_for "$ref"
wait_for '恶意'
raw=$(screen_raw)
printf '%s' "$raw" | grep $'\u202e\|\u2066' >/dev/null && fail "bidi control reached the screen"
printf '%s' "$raw" | grep 'PWNED'$'\a' >/dev/null && fail "OSC reached the screen"
[ "$(tm display-message -p '#{pane_title}')" = "$title_before" ] || fail "terminal title changed"
# The queue still has its header and the status line (no clear-screen).
screen_has '^ 上海市'
screen_has '事件队列'
# Drill into it: the detail view is clean too.
keys :
type_text "show $ref"
keys Enter
wait_for '恶意'
printf '%s' "$(screen_raw)" | grep $'\u202e' >/dev/null && fail "bidi control in detail view"
screen_has '^ 上海市'
screen_quit
