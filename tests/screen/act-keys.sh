# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Keys on the selected incident (issue 14): the footer offers only the
# allowed actions of the selection; a forward move (a: ack) runs at once; a
# rejecting one (u: unfounded) opens the prompt prefilled and needs the
# reason; an ending one (c: close) asks y/n and n changes nothing; a key
# not allowed in the state changes nothing and says so; keys rebind by
# action name in the config.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"
state() { psql -qAtc "select state from cityops.incident where ref = '$1'"; }

ref=$(co -U super_fx --json -c 'raise fire 1 南桥镇 按键测试火情' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise failed"
mkdir -p "$SCREEN_HOME/config/cityops"
printf 'bind K ack\nunbind a\n' >"$SCREEN_HOME/config/cityops/config"
screen_start 140 36 -- -U super_fx
wait_for 'DB ●'
wait_for "^P1 $ref"
# The queue has the focus; its filter leaves the new P1 alone, selected.
keys /
type_text "$ref"
keys Enter
wait_for "^K 受理  d 派单  u 不实  x 撤销  e 升级  n 备注  │ $ref"
# Verify is not allowed from new: nothing changes, the message says so.
keys V
wait_for "$ref 新发现: 不可 核查"
[ "$(state "$ref")" = new ] || fail "V changed the state"
# a is unbound by the config; K is ack now.
keys a
sleep 0.5
[ "$(state "$ref")" = new ] || fail "an unbound key acted"
keys K
wait_for "» $ref: 新发现 → 已确认"
[ "$(state "$ref")" = acknowledged ] || fail "ack did not run"
wait_for "u 不实"
# Unfounded asks for the reason, prefilled with the command and ref.
keys u
wait_for "^:unfounded $ref ?$"
keys Escape
wait_for "^d 派单  u 不实"
[ "$(state "$ref")" = acknowledged ] || fail "Esc at the reason prompt changed the state"
keys u
wait_for "^:unfounded $ref ?$"
type_text '重复报警，现场无火情'
keys Enter
wait_for "» $ref: 已确认 → "
[ "$(state "$ref")" = unfounded ] || fail "unfounded did not run"
[ "$(psql -qAtc "select note from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where i.ref = '$ref' and e.action = 'unfounded'")" = 重复报警，现场无火情 ] ||
	fail "the reason was not recorded"
screen_quit
echo ok
