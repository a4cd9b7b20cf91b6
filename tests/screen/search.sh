# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The search view (issue 14): f opens it with the prompt at "find ";
# Chinese text typed there lists incidents by title, location,
# description, note or reference, open and closed, newest first; Enter
# opens the incident, Esc comes back, / searches again; `:find TEXT` at the
# prompt opens the same view. A title holding escape sequences (written
# straight into the database, as a hostile login could) is drawn inert.
# A district officer finds nothing outside the district (row-level
# security).
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

# The demo's references depend on the day and hour it was seeded: by title.
ref_of() { psql -qAt -c "select ref from cityops.incident where title = '$1' and not exercise"; }
WATER=$(ref_of 自来水水压低) SHOP=$(ref_of 沿街商铺冒烟) NOISE=$(ref_of '12345噪声投诉：夜间施工扰民')
FX=$(ref_of 奉城镇积水) NQ=$(ref_of 南桥镇积水)
[ -n "$WATER" ] && [ -n "$SHOP" ] && [ -n "$NOISE" ] && [ -n "$FX" ] && [ -n "$NQ" ] ||
	fail "demo incidents not found"
# Hostile content: clear-screen and set-title sequences in a title.
psql -qc "update cityops.incident set title = E'\\x1b[2J\\x1b]2;pwned\\x07旧闸门漏水' where ref = '$WATER'"
co -U super_city -c "note $SHOP 隔壁饭店油烟味道很重" >/dev/null

screen_start 160 45 -- -U super_city
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
keys f
wait_for '^:find ?$'
wait_for '输入要找的文字'
type_text '积水'
keys Enter
wait_for '共 2 件 · 新的在前'
# Newest first: 奉城镇积水 above 南桥镇积水 (raised later).
order=$(screen | grep -oE "$FX|$NQ" | tr '\n' ' ') || true
[ "$order" = "$FX $NQ " ] || fail "order: $order
$(screen)"
screen_has '奉城镇积水 .* 标题'
# Enter opens the selected incident; Esc back to the results.
keys Enter
wait_for '^标题 +奉城镇积水'
keys Escape
wait_for '共 2 件 · 新的在前'
# / searches again: a closed incident, found by its title.
keys /
wait_for '^:find ?$'
type_text '施工扰民'
keys Enter
wait_for "$NOISE P3 已结案 .* 标题"
# A note.
keys /
wait_for '^:find ?$'
type_text '味道很重'
keys Enter
wait_for "$SHOP .* 备注"
# The prompt's find, and the hostile title: shown, never obeyed.
keys Escape
wait_gone '^搜索'
keys :
type_text 'find 闸门漏水'
keys Enter
wait_for "$WATER .*旧闸门漏水"
screen_has '[^[:cntrl:]]\[2J.*旧闸门漏水'
[ "$(tm display -p '#{pane_title}')" != pwned ] ||
	fail "the title sequence reached the terminal"
raw=$(screen_raw)
case $raw in *$'\e[2J'*) fail "raw clear-screen on the terminal" ;; esac
# Nothing found, said so.
keys /
type_text '不存在的文字'
keys Enter
wait_for '\(没有找到\)'
screen_quit
screen_stop

# A district officer (奉贤) does not find 黄浦's incidents.
screen_start 160 45 -- -U officer_fx
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
keys :
type_text 'find 外滩'
keys Enter
wait_for '\(没有找到\)'
keys /
type_text '积水'
keys Enter
wait_for "$FX"
screen_quit
echo ok
