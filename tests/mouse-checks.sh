# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Sourced by tests/screen/mouse.sh and mouse-ssh.sh (after screen-lib.sh):
# SGR mouse reports sent to the console's pane, and the checks both make
# (click, wheel, double-click, a click while typing), whatever carries the
# bytes from the terminal to the console (tmux alone, or ssh too).

# mouse_at B X Y [m]: one SGR report (1-based column and row); press by
# default, release with m.
mouse_at() {
	local hex
	hex=$(printf '\033[<%d;%d;%d%s' "$1" "$2" "$3" "${4:-M}" | od -An -tx1)
	# shellcheck disable=SC2086
	tm send-keys -H $hex
}
click() { mouse_at 0 "$1" "$2"; mouse_at 0 "$1" "$2" m; }
# Both clicks of a double-click in one write, as a terminal sends them
# (two tmux commands apart could be over the 500 ms the console allows).
dblclick() {
	local hex
	hex=$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$1" "$2" "$1" "$2" "$1" "$2" "$1" "$2" | od -An -tx1)
	# shellcheck disable=SC2086
	tm send-keys -H $hex
}
# The screen row (1-based) of the first line matching a pattern.
row_of() { screen | grep -nE -- "$1" | head -1 | cut -d: -f1; }
ref_at() { screen | sed -n "${1}p" | grep -oE '[0-9]{6}-[0-9]{4}' | head -1; }

# mouse_checks: with "mouse on", starts the console (screen_start with
# the caller's $CITYOPS) and runs the checks; quits and stops it.
mouse_checks() {
	mkdir -p "$SCREEN_HOME/config/cityops"
	echo 'mouse on' >"$SCREEN_HOME/config/cityops/config"
	screen_start 160 45 -- -U super_city
	wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
	wait_for '告警  未确认 2'
	[ "$(tm display -p '#{mouse_sgr_flag}#{mouse_standard_flag}')" = 11 ] ||
		fail "the console did not ask for SGR mouse reports"
	q1=$(row_of '^P[1-4] [0-9]{6}-[0-9]{4}')
	# A click on the third queue row selects it: the footer names it.
	r3=$(ref_at $((q1 + 2)))
	click 5 $((q1 + 2))
	wait_for "│ $r3"
	# The wheel down moves three rows.
	r6=$(ref_at $((q1 + 5)))
	mouse_at 65 5 $((q1 + 2))
	wait_for "│ $r6"
	# A click on the second alarm row focuses the alarms pane and selects it;
	# a then acknowledges that alarm, not the first.
	a2=$(screen | grep -nE '^!! ' | sed -n 2p | cut -d: -f1)
	ind=$(screen | sed -n "${a2}p" | awk '{print $3}')
	click 12 "$a2"
	keys a
	wait_for "» 告警 [0-9]+ $ind 已由 super_city 确认"
	# A double-click on the second queue row opens it.
	r2=$(ref_at $((q1 + 1)))
	dblclick 5 $((q1 + 1))
	wait_for "^编号 +$r2"
	keys Escape
	wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
	# In a list view: a click selects, a double-click opens.
	keys :
	type_text 'find 积水'
	keys Enter
	wait_for '共 2 件 · 新的在前'
	nq=$(psql -qAt -c "select ref from cityops.incident where title = '南桥镇积水' and not exercise")
	h2=$(row_of "$nq")
	dblclick 20 "$h2"
	wait_for "^编号 +$nq"
	keys Escape
	wait_for '共 2 件 · 新的在前'
	keys Escape
	# A click while typing types nothing.
	keys :
	wait_for '^:$'
	click 5 "$q1"
	type_text 'x'
	wait_for '^:x$'
	keys Escape
	screen_quit
	screen_stop

}
