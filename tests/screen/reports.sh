# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The reports view (issue 15): `:report period --from --to` at the prompt
# opens it on that custom period; its rows are `report period --json`'s
# for the same period and grouping; < > pick the sort column and s its
# direction (shown in the header, the rows follow); g switches the
# grouping to streets; p moves to today in the console's zone (Shanghai).
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

FROM=2000-01-01 TO=2100-01-01
json() { co -U super_city --json -c "report period --from $FROM --to $TO --by $1"; }

# The rows on screen below the header: "name raised closed", the total
# (合计) left out.
rows() {
	screen | awk '/分组/ { on = 1; next } on && NF >= 3 && $1 != "合计" && $2 ~ /^[0-9]+$/ \
		&& $3 ~ /^[0-9]+$/ { print $1, $2, $3 }'
}

# Every row shown is the JSON's group of that name with the same counts;
# with all=1 the screen shows every group.
same_as_json() {
	local by=$1 all=${2:-0} j n=0 name raised closed want
	j=$(json "$by") || fail "report period --json --by $by failed"
	while read -r name raised closed; do
		want=$(jq -r --arg n "$name" '[.. | objects | select(.grp? == $n)][0]
			| "\(.raised) \(.closed)"' <<<"$j")
		[ "$want" = "$raised $closed" ] ||
			fail "$by $name: screen $raised $closed, json $want
$(screen)"
		n=$((n + 1))
	done < <(rows)
	[ "$n" -gt 0 ] || fail "no rows on screen: $(screen)"
	if [ "$all" = 1 ]; then
		local groups
		groups=$(jq '[.. | objects | select(has("grp_code") and .grp_code != null)] | length' <<<"$j")
		[ "$n" = "$groups" ] || fail "$n rows on screen, $groups in the JSON"
	fi
}

# monotone FIELD asc|desc: the rows' field (2 raised, 3 closed) in order.
monotone() {
	rows | awk -v f="$1" -v dir="$2" 'NR > 1 && ((dir == "desc" && $f > last) ||
		(dir == "asc" && $f < last)) { bad = 1 } { last = $f }
		END { exit bad }' || fail "rows not $2 by field $1:
$(screen)"
}

screen_start 160 45 -- -U super_city
wait_for '事件队列 +[0-9]+ 件未结'
keys :
type_text "report period --from $FROM --to $TO"
keys Enter
wait_for "自定 $FROM → $TO · 按区 · 新增降序"
wait_for '新增▼'
wait_for '合计 '
same_as_json district 1
monotone 2 desc

keys '>'
wait_for '结案降序'
wait_for '结案▼'
monotone 3 desc
keys s
wait_for '结案升序'
wait_for '结案▲'
monotone 3 asc
same_as_json district 1

keys g
wait_for '按街道 · 结案升序'
wait_for '合计 '
same_as_json street
monotone 3 asc

keys p
today=$(TZ=Asia/Shanghai date +%m-%d)
wait_for "今日 $today 00:00 → "
wait_for '合计 '

# A custom period the database refuses: its message, no crash.
keys :
type_text "report period --from 2035-01-02 --to 2035-01-01"
keys Enter
wait_for '自定 2035-01-02'
wait_for 'must end after it starts'
keys Escape
# Reloading the view is a read: nothing of it in the event log.
wait_gone '^评估评价'
screen | grep -q '✓ report period' && fail "report reloads logged as changes:
$(screen)"
screen_quit

# At 80x24 the view still shows its header, rows that agree with the JSON
# and the total; the sort keys still work.
screen_stop
screen_start 80 24 -- -U super_city
wait_for '事件队列'
keys :
type_text "report period --from $FROM --to $TO"
keys Enter
wait_for '新增▼'
wait_for '按区'
same_as_json district
monotone 2 desc
keys '>'
wait_for '结案▼'
monotone 3 desc
screen_quit
