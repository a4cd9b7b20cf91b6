# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# One language on the screen (issue 14): at 80x24, as a duty officer walks
# the console (the default layout, each pane including the map, the alarms
# view and an acknowledgement, search, region and reports views, an
# incident, an indicator's chart, the unit picker, the unit-status prompt,
# a refused action), no screen shows an English fragment among its Chinese
# labels. Every ASCII word of three letters or more must be on the
# allow-list that headless/labels reads too (tests/labels-allow): codes,
# call signs, logins, key names and units stay as they are. The help view
# (?) is exempt: it documents the key and command names, which are code.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"
allow=$(dirname "$0")/../labels-allow

# look WHAT: the screen now has no word off the allow-list. Every screen
# is looked at before the test fails, so that one run names them all. The
# prompt line (":…"), the echo of a command run ("» show …") and the event
# log's line for a command ("19:47:10 ✗ close …": the same message is
# looked at on the message line) are command syntax, which stays;
# "» 告警 … 已由 … 确认" is a message and is looked at.
found=
look() {
	local out bad
	out=$(screen)
	bad=$(grep -vE '^(:|» [a-z][a-z-]* |[0-9:]{8} [✓✗] [a-z][a-z-]* )' <<<"$out" |
		grep -oE '[A-Za-z][A-Za-z0-9_.-]{2,}' |
		grep -Evf <(grep -v '^#' "$allow") | sort -u | tr '\n' ' ') || true
	[ -z "$bad" ] || found+="
--- English words on the screen ($1): $bad
$out"
}
prompt() {
	keys :
	wait_for '^:$'
	type_text "$1"
	keys Enter
}
# focus PANE: Tab until that pane's title is drawn focused (the default
# theme's pane.title.focus: black on cyan, or reverse).
focus() {
	local i
	for ((i = 0; i < 12; i++)); do
		if screen_raw | grep -aE $'\e\\[(46|7)m '"$1 " >/dev/null; then
			return 0
		fi
		keys Tab
		sleep 0.2
	done
	fail "no pane $1 after 12 Tabs:
$(screen)"
}
# home: out of every view, one Esc at a time, back to the queue (the map
# pane, focused, takes the whole screen: Tab leaves it).
home() {
	local i
	for ((i = 0; i < 20; i++)); do
		if screen | grep -E '^ 事件队列 ' >/dev/null; then return 0; fi
		if screen | grep -E '^ 地图 ' >/dev/null; then keys Tab; else keys Escape; fi
		sleep 0.3
	done
	fail "not back to the queue:
$(screen)"
}

pond=$(psql -qAt -c "select ref from cityops.incident where title = '奉城镇积水' and not exercise")
[ -n "$pond" ] || fail "no demo incident 奉城镇积水"

screen_start 80 24 -- -U super_fx
wait_for 'DB ●'
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
look 'default layout'
# Each pane, focused in turn (the lower half shows the focused one).
for pane in 生命体征 处置力量 动态 区域 地图 告警; do
	focus "$pane"
	look "pane $pane"
done
home
keys A
wait_for '条告警'
look 'alarms view'
keys a
wait_for '» 告警 [0-9]+ .* super_fx'
look 'an alarm acknowledged'
home
keys f
wait_for '^:find'
look 'search prompt'
type_text ' 没有这样的事情'
keys Enter
wait_for '共 0 件'
look 'search, nothing found'
home
prompt 'find 积水'
wait_for "$pond"
look 'search, found'
# The incident, opened from the search.
row=$(screen | grep -nE -- "$pond" | head -1 | cut -d: -f1)
first=$(screen | grep -nE '^[0-9]{2}-[0-9]{2} ' | head -1 | cut -d: -f1)
for ((i = first; i < row; i++)); do keys Down; done
keys Enter
wait_for "^编号 +$pond"
wait_for '处置时间线'
look 'incident view'
keys d
wait_for "$pond › "
wait_for '^\[ \] +FX-'
look 'unit picker'
# Back out one view at a time: the picker, the incident, the search.
keys Escape
wait_for "^编号 +$pond"
keys Escape
wait_for '^搜索.* › 积水'
keys Escape
wait_for '^ 事件队列 '
# The map again (m gives it the body at 80x24).
keys m
wait_for '^ 地图 '
look 'map'
keys m
wait_for '^ 事件队列 '
# The region view (r), a street drilled into: its grid cells.
keys r
wait_for '^上海市 › 奉贤区'
wait_for '层级'
look 'region view'
keys Down
keys Enter
wait_for '^上海市 › 奉贤区 › '
wait_for '^[0-9]{9}'
look 'region view, a street'
home
keys E
wait_for '合计'
look 'reports view'
home
# An indicator's chart, from the vital signs pane.
focus 生命体征
keys /
type_text 金汇港
keys Enter
wait_for '生命体征 .*/金汇港'
keys Enter
wait_for '╵'
look 'indicator chart'
home
# A unit's status, from the units pane.
focus 处置力量
keys s
wait_for '^:unit'
look 'unit status prompt'
keys Escape
wait_gone '^:unit'
home
screen_quit
screen_stop

# A duty officer (值班员): a refused action's message.
screen_start 80 24 -- -U officer_fx
wait_for 'DB ●'
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
look 'default layout, officer'
# Lines in the event log: an incident raised and acknowledged elsewhere, a
# unit's status, an alarm acknowledged.
new=$(co -U officer_fx --json -c 'raise fire 2 南桥镇 事件日志用语测试' |
	sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$new" ] || fail "raise failed"
co -U officer_fx -c "ack $new" >/dev/null || fail "ack failed"
co -U officer_fx -c "alarm ack fx.pond.nanqiao" >/dev/null || fail "alarm ack failed"
focus 动态
wait_for "$new 受理"
wait_for '告警 fx.pond.nanqiao 已确认'
look 'event log'
home
prompt "close $pond"
wait_for '值班长|权限|不允许|拒绝'
look 'refused action'
screen_quit
[ -z "$found" ] || fail "$found"
echo ok
