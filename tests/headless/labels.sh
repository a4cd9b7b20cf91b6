# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# One language (issue 14): the text output of the desk's commands has no
# English fragments among its Chinese labels ("8 incidents" → "共 8 件",
# "peace" → "平时", "supervisor" → "值班长"). Every ASCII word of three
# letters or more must be on the allow-list (tests/labels-allow, which
# screen/labels shares): codes, keys and call signs,
# which stay as they are (indicator ids, call signs, unit-kind and
# category codes, policy names, units of measure, logins). JSON keys and
# error codes are not checked: they stay English.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" "$@"; }
allow=$(dirname "$0")/../labels-allow
check() {
	local what=$1 out=$2 bad
	bad=$(grep -oE '[A-Za-z][A-Za-z0-9_.-]{2,}' <<<"$out" | grep -Evf <(grep -v '^#' "$allow") | sort -u | tr '\n' ' ') || true
	[ -z "$bad" ] || fail "English words in '$what': $bad
$out"
}
for c in queue units alarms vitals mode whoami escalation 'switch emergency IV 防汛防台 台风蓝色预警' \
	'switch peace 解除'; do
	out=$(co -U super_fx -c "$c" 2>&1) || fail "$c failed: $out"
	check "$c" "$out"
done
out=$(co -U super_fx -c queue)
expect_in "$out" '共 [0-9]+ 件'
out=$(co -U super_fx -c mode -c whoami -c escalation)
expect_in "$out" '模式 +平时'
expect_in "$out" '角色 +值班长'
expect_in "$out" 'P1 +1 +0s +是'
echo ok
