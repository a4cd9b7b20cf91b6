# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The map pane (issue 15): the sixteen districts as tiles where they are
# on a real map, at 80x24 and 120x36 (m); CJK labels aligned; state
# symbols in colour and without; arrows move by geography; Enter drills
# into the district and Esc comes back; at 200x60 (outlines, see
# map-outline.sh) an alarm stored by another process recolours the
# district, and costs the terminal little more than its outline.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

. "$(dirname "$0")/map-lib"

# --- 80x24: m brings the map; arrows; Enter drills; Esc back; m leaves.
screen_start 80 24 -- -U super_city
wait_for '事件队列 +[0-9]+ 件未结'
keys m
wait_for '地图 上海市'
wait_for "${tile}奉贤"
check_geography
[ "$(screen | grep -oE "$tile" | wc -l)" -ge 16 ] || fail "fewer than 16 tiles at 80x24
$(screen)"
# The selection starts at the first district by code (黄浦); the detail
# box names it. Right goes east to 浦东, Down from there south to 奉贤.
wait_for '黄浦区 '
keys Right
wait_for '浦东新区 '
keys Down
wait_for '奉贤区 '
# Its newest incidents and worst indicators are in the detail box.
wait_for '最新事件'
wait_for 'P[1-4] 2[0-9]{5}-[0-9]{4}'
keys Enter
wait_for '上海市 › 奉贤区'
wait_for '南桥镇'
keys Escape
wait_for '地图 上海市'
wait_for '奉贤区 '
keys m
wait_for '事件队列 +[0-9]+ 件未结'
wait_gone '地图 上海市'
screen_quit
screen_stop

# --- 120x36: m puts it under the queue; with colour, then without.
screen_start 120 36 -- -U super_city --theme dark
wait_for '事件队列 +[0-9]+ 件未结'
keys m
wait_for '地图 上海市'
wait_for "${tile}奉贤"
check_geography
screen_raw | grep -E "$colour" >/dev/null || fail "no colour with the dark theme"
screen_stop
screen_start 120 36 NO_COLOR=1 -- -U super_city
wait_for '事件队列 +[0-9]+ 件未结'
keys m
wait_for '地图 上海市'
wait_for "${tile}奉贤"
if screen_raw | grep -E "$colour" >/dev/null; then
	fail "colour escapes with NO_COLOR"
fi
screen_stop

# --- 200x60: a district recolours when another process stores an alarm,
# and the bytes the console writes for it stay near one outline's worth.
screen_start 200 60 -- -U super_city
wait_for '地图 上海市'
wait_for "${tile}崇明"
screen | grep -q '!! 崇明' && fail "崇明 in alarm before the reading"
tm pipe-pane -o "cat >>$SCREEN_HOME/bytes"
# let the start-up settle: the clock ticks; measure from here
sleep 1
: >"$SCREEN_HOME/bytes"
psql -qAtX -c "SELECT count(*) FROM cityops.ingest_readings(ARRAY['cm.rain'],
	ARRAY[80]::float8[], ARRAY[cityops.now()])" >/dev/null
wait_for "!! 崇明"
sleep 0.5
tm pipe-pane
bytes=$(wc -c <"$SCREEN_HOME/bytes")
echo "map recolour: $bytes bytes written by the console (200x60)"
printf '%s\n' "$bytes" >"${MAP_BYTES_OUT:-/dev/null}"
# Against a full repaint of the same screen (redraw, C-l), measured here:
# the tile, its detail, the vital-signs row, the event line and the
# alarm counter that changed with it, and a clock tick, stay under half
# (3,521 of 10,316 bytes when this was written).
: >"$SCREEN_HOME/full"
tm pipe-pane -o "cat >>$SCREEN_HOME/full"
tm send-keys C-l
sleep 1
tm pipe-pane
full=$(wc -c <"$SCREEN_HOME/full")
echo "full repaint: $full bytes"
[ "$bytes" -lt $((full / 2)) ] || fail "recolouring wrote $bytes bytes, a full repaint $full"
screen_quit
