# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The map shown again (80x24, where m gives it the body): each time, after
# a view came and went in between, it is drawn, not left blank. The map
# kept what it had drawn keyed by its window's address, and a new window
# often gets the address of the one freed before it: five of six showings
# were blank before the panes' windows got a generation number.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 80 24 -- -U super_fx
wait_for 'DB ●'
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
for i in 1 2 3 4 5 6; do
	keys m
	wait_for '^ 地图 '
	wait_for '(ok|!!|!|--) +[^ ]+ +(ok|!!|!|--) '
	keys m
	wait_for '^ 事件队列 '
	keys A
	wait_for '条告警'
	keys Escape
	wait_for '^ 事件队列 '
done
screen_quit
echo ok
