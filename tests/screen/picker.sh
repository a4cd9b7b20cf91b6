# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The unit picker (issue 14): d on the selected incident opens the
# recommended units nearest first with distance and department; Space
# chooses; a unit another console dispatches meanwhile turns taken, naming
# the incident that has it; a dispatch refused because a unit was taken in
# the moment before Enter says who has it and keeps the picker open; Enter
# with the choices sends one dispatch and closes the picker.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"
raise() { co -U super_fx --json -c "raise $1" | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p'; }
holder() { psql -qAtc "select i.ref from cityops.assignment a join cityops.unit u on u.id = a.unit_id join cityops.incident i on i.id = a.incident_id where u.callsign = '$1' and a.released_at is null"; }

a=$(raise 'fire 1 南桥镇 选单位测试火情')
b=$(raise 'fire 2 南桥镇 另一起火情')
[ -n "$a" ] && [ -n "$b" ] || fail "raise failed"
mapfile -t rec < <(co -U super_fx --json -c "recommend $a --limit 3" |
	grep -o '"callsign":"[^"]*"' | cut -d'"' -f4)
[ "${#rec[@]}" -eq 3 ] || fail "want 3 recommended units, got ${rec[*]}"
u1=${rec[0]} u2=${rec[1]} u3=${rec[2]}

screen_start 140 36 -- -U super_fx
wait_for 'DB ●'
keys /
type_text "$a"
keys Enter
wait_for "^P1 $a"
# The filter applied and the row selected (the footer names the
# selection): the row may be on screen before, below another one.
wait_for "│ $a( |$)"
keys d
wait_for "$a › 派单"
wait_for "^\[ \] +$u1 .* km +\S"
# Space chooses and moves down.
keys Space
wait_for "^\[x\] +$u1 "
# Another console dispatches u1 to b: the picker shows it taken, by b.
co -U super_city -c "dispatch $b $u1" >/dev/null || fail "second console's dispatch failed"
wait_for "^✗ +$u1 .*已被占用: $b"
screen_has "$a › 派单"
# u2 is taken in the instant before Enter, before any notification can
# reach the picker (an assignment row, as a concurrent dispatch's
# transaction leaves it): the database refuses and names the holder.
keys Space
wait_for "^\[x\] +$u2 "
psql -qc "insert into cityops.assignment (incident_id, unit_id, region_path, assigned_at, assigned_by)
	select i.id, u.id, i.region_path, now(), 'super_city' from cityops.incident i, cityops.unit u
	where i.ref = '$b' and u.callsign = '$u2'" >/dev/null
keys Enter
wait_for "派单被拒: unit $u2 is on incident $b \(dispatched by super_city\)"
screen_has "$a › 派单"
[ -z "$(holder "$u3")" ] || fail "a refused dispatch assigned $u3"
[ "$(psql -qAtc "select state from cityops.incident where ref = '$a'")" = new ] ||
	fail "a refused dispatch changed $a"
# Unchoose u2, choose u3, send: one dispatch, the picker closes.
keys Up
keys Space
wait_for "^\[ \] +$u2 "
wait_for "^\[ \] +$u3 "
keys Space
wait_for "^\[x\] +$u3 "
keys Enter
wait_for "» 已派单 $a: 新发现 → 已派单"
wait_gone "$a › 派单"
[ "$(holder "$u3")" = "$a" ] || fail "$u3 not on $a"
screen_quit
echo ok
