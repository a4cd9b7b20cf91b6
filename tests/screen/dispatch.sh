# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Another console's dispatch appears here through LISTEN/NOTIFY: the event
# log names who did it, the queue shows the new state, the unit is busy.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 120 36 -- -U super_city
wait_for 'DB ●'
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
ref=$(co -U super_fx --json -c 'raise flood 1 南桥镇 屏幕测试积水' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise failed"
# A new arrival shows in the queue and in the log.
wait_for "$ref"
wait_for "$ref 发现"
unit=$(co -U super_fx --json -c "recommend $ref --limit 1" | sed -n 's/.*"callsign":"\([^"]*\)".*/\1/p')
[ -n "$unit" ] || fail "no unit to dispatch"
co -U super_fx -c "dispatch $ref $unit" >/dev/null || fail "dispatch failed"
wait_for "$ref 派单 → 已派单 · super_fx · $unit"
wait_for "$ref .*已派单"
wait_for "单位 $unit → 已派"
screen_quit
