# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The mouse (issue 14), as tmux passes it on (screen/mouse-ssh: the same
# checks through ssh): with "mouse on" the console asks the terminal for SGR mouse
# reports; a click selects a row and focuses its pane (the action keys then
# act on it), the wheel scrolls, a double-click opens, in panes and in list
# views alike; a click while the prompt is open types nothing. Without
# "mouse on" (the default) the terminal is not asked, and a stray report
# changes nothing.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

. "$(dirname "$0")/../mouse-checks.sh"

mouse_checks

# Off by default: the terminal is not asked, and a report changes nothing.
rm "$SCREEN_HOME/config/cityops/config"
screen_start 160 45 -- -U super_city
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
[ "$(tm display -p '#{mouse_sgr_flag}#{mouse_standard_flag}')" = 00 ] ||
	fail "mouse reports asked for without mouse on"
q1=$(row_of '^P[1-4] [0-9]{6}-[0-9]{4}')
r1=$(ref_at "$q1")
wait_for "│ $r1"
click 5 $((q1 + 2))
keys j
wait_for "│ $(ref_at $((q1 + 1)))"
screen_quit
echo ok
