# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Drill-down and back: an incident (timeline, units, next actions), a
# region (children with rollups, breadcrumbs), an indicator (history chart).
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 120 36 -- -U super_city
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
first=$(screen | grep -oE '^P[1-4] [0-9]{6}-[0-9]{4}' | head -1 | awk '{print $2}')
keys Enter
wait_for "^上海市 › .* › $first"
wait_for '处置时间线'
wait_for '可执行'
keys Escape
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'

# Regions: the scope's districts, then one district's streets.
keys r
wait_for '^310120 +奉贤区'
n=$(screen | grep -nE '^310120 ' | cut -d: -f1 || true)
[ -n "$n" ] || fail "no 奉贤区 row: $(screen)"
top=$(screen | grep -nE '^代码' | cut -d: -f1)
for _ in $(seq 1 $((n - top - 1))); do keys Down; done
keys Enter
wait_for '^上海市 › 奉贤区'
wait_for '南桥镇'
keys Escape
wait_for '^上海市 *$|^上海市 [^›]*$'
keys Escape
wait_for '事件队列'

# An indicator: Tab to the vital signs, first indicator, its chart.
keys Tab
wait_for '生命体征'
keys Down Enter
wait_for '^生命体征 › '
wait_for '预警 [0-9.]+ +告警'
keys Escape
wait_for '事件队列'
screen_quit
