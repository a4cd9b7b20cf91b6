# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# NO_COLOR and --no-color: no colour escape reaches the terminal, and the
# states still show as symbols. The same screen with a theme does use
# colour, so the check means something.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

colour=$'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'

screen_start 120 36 -- -U super_city --theme dark
wait_for '(!! 告警|!  预警|\?\? 失联|ok 正常)'
screen_raw | grep -E "$colour" >/dev/null || fail "no colour with the dark theme"
screen_stop

for how in env flag; do
	if [ $how = env ]; then
		screen_start 120 36 NO_COLOR=1 -- -U super_city
	else
		screen_start 120 36 -- -U super_city --no-color
	fi
	wait_for '事件队列 +[0-9]+ 件未结'
	# Demo readings go stale as the clock runs: any state symbol will do.
	wait_for '(!! 告警|!  预警|\?\? 失联|ok 正常)'
	if screen_raw | grep -E "$colour" >/dev/null; then
		fail "colour in no-colour mode ($how): $(screen_raw | grep -Eo $'\e\\[[0-9;]*m' | sort -u | tr '\n' ' ')"
	fi
	screen_quit
	screen_stop
done
