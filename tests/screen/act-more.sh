# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# More keys on the selection (issue 14): V verifies a resolved incident at
# once; c asks y/n before closing it (n changes nothing, y closes); e
# raises the escalation level and the queue shows 督办N; s on a selected
# unit opens its status change; i on a selected indicator opens an
# incident raised from it, prefilled (category from the indicator's, its
# region and reading, source sensor).
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"
q() { psql -qAtc "$1"; }
ref=$(q "select ref from cityops.incident where state = 'resolved' and region_path <@ '310000.310120' limit 1")
[ -n "$ref" ] || fail "the demo has no resolved incident in 奉贤"

screen_start 140 36 -- -U super_fx
wait_for 'DB ●'
keys /
type_text "$ref"
keys Enter
wait_for "^V 核查 .*│ $ref"
keys V
wait_for "» $ref: 已办结 → 已核查"
wait_for "^c 结案 .*│ $ref"
keys c
wait_for "结案 $ref\? \(y/n\)"
keys n
wait_for "^已取消 *$"
[ "$(q "select state from cityops.incident where ref = '$ref'")" = verified ] || fail "n closed it"
keys c
wait_for "结案 $ref\? \(y/n\)"
keys y
wait_for "» $ref: 已核查 → 已结案"
[ "$(q "select state from cityops.incident where ref = '$ref'")" = closed ] || fail "y did not close it"
keys Escape

# Escalate: the queue shows the level.
p1=$(co -U super_fx --json -c 'raise traffic 1 南桥镇 升级测试' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
keys /
type_text "$p1"
keys Enter
wait_for "^P1 $p1 "
# The filter applied and the row selected (the footer names the
# selection): the row may be on screen before, below another one.
wait_for "│ $p1( |$)"
keys e
wait_for "^P1 $p1 .*督办1 升级测试"
[ "$(q "select escalation from cityops.incident where ref = '$p1'")" = 1 ] || fail "not escalated"
keys Escape

# A unit: s opens its status change, prefilled.
unit=$(q "select callsign from cityops.unit where region_path <@ '310000.310120' and not exercise and status = 'available' order by callsign limit 1")
keys Tab
keys Tab
keys /
type_text "$unit"
keys Enter
wait_for "处置力量 .*/$unit"
keys s
wait_for "^:unit-status $unit ?$"
type_text 'out_of_service 车辆检修'
keys Enter
wait_for "» $unit"
[ "$(q "select status from cityops.unit where callsign = '$unit'")" = out_of_service ] || fail "$unit status not changed"

# An indicator: i raises from it, prefilled; Enter raises.
keys BTab
keys g
keys j
keys i
wait_for '^:raise [a-z_]+ 2 \S+ .*读数.*异常 --source sensor$'
keys Enter
wait_for '» .*[0-9]{6}-[0-9]{4}'
[ "$(q "select count(*) from cityops.incident where source = 'sensor' and title like '%读数%异常'")" = 1 ] ||
	fail "no incident raised from the indicator"
screen_quit
echo ok
