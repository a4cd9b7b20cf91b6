# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The layout follows the terminal: 80x24 essentials, 200x60 every pane,
# a clear message below the minimum, and back.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 120 36 -- -U super_city
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
wait_for '动态'
tm resize-window -x 80 -y 24
wait_for '^ 事件队列'
wait_for '生命体征'
wait_gone ' 动态 '
[ "$(screen | wc -l)" -le 24 ] || fail "more than 24 lines"
tm resize-window -x 200 -y 60
wait_for '处置力量'
wait_for ' 区域 '
wait_for ' 动态 '
tm resize-window -x 40 -y 10
wait_for '终端太小'
wait_for '至少 60x15, 现在 40x10'
tm resize-window -x 80 -y 24
wait_for '^ 事件队列'
# Tab in the compact layout swaps the lower pane.
keys Tab Tab
wait_for '处置力量'
screen_quit
