# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# find (issue 14): incidents by reference, title, location, description or
# note, open and closed, newest first, in the caller's scope; hostile text
# refused with a clear message and never echoed to the terminal.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }

# The demo's resolved noise complaint in 黄浦, by a part of its title.
out=$(co -U officer_hp -c 'find 施工扰民')
expect_in "$out" '夜间施工扰民'
expect_in "$out" '共 1 件'
# Out of scope: 奉贤's officer finds nothing of 黄浦's.
out=$(co -U officer_fx -c 'find 施工扰民')
expect_in "$out" '共 0 件'

# Two new ones at the same place; the newer first, found by a note too.
r1=$(co -U officer_hp --json -c 'raise city_mgmt 3 黄浦 瑞金二路井盖松动' | grep -o '"ref":"[0-9-]*"' | head -1 | cut -d'"' -f4)
r2=$(co -U officer_hp --json -c 'raise city_mgmt 3 黄浦 瑞金二路井盖缺失' | grep -o '"ref":"[0-9-]*"' | head -1 | cut -d'"' -f4)
[ -n "$r1" ] && [ -n "$r2" ] || fail "raise gave no refs: '$r1' '$r2'"
out=$(co -U officer_hp -c 'find 瑞金二路')
first=$(grep -o '[0-9]\{6\}-[0-9]\{4,\}' <<<"$out" | head -1)
[ "$first" = "$r2" ] || fail "newest not first ($r2 expected):
$out"
expect_in "$out" '共 2 件'
co -U officer_hp -c "note $r1 物业称下午更换" >/dev/null
out=$(co -U officer_hp --json -c 'find 下午更换')
expect_in "$out" "\"ref\":\"$r1\""
expect_in "$out" '"matched":"note"'
out=$(co -U officer_hp -c "find $r1")
expect_in "$out" '共 1 件'

# Hostile text: refused with a message, nothing echoed raw.
for text in $'\e[2J\e[31m井盖' $'井\x01盖' "$(printf '井%.0s' $(seq 65))"; do
	rc=0
	o=$(co -U officer_hp --json -c "find $text" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "find accepted hostile text: $o"
	expect_in "$o" '"code":"invalid_argument"'
	case "$o" in *$'\e'*) fail "an escape sequence reached the output: $o" ;; esac
done
rc=0
o=$(co -U officer_hp -c 'find' 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "find without text succeeded: $o"
# LIKE's characters are plain: % finds only what holds a %.
out=$(co -U officer_hp -c 'find 井盖%')
expect_in "$out" '共 0 件'
echo ok
