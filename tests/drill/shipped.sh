# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The drills shipped in drills/ pass at high speed, one after another on
# one database (ENDEX frees their exercise units between runs); each
# writes a JSON report and a CAP 1.2 export with status Exercise.
. "$(dirname "$0")/../lib.sh"
scratch_db
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

for d in typhoon-fengxian bund-crowd gas-huangpu; do
	start=$(date +%s.%N)
	out=$("$CITYOPS" drill run "$CITYOPS_SRC/drills/$d.drill" --speed 1200 \
		--report "$tmp/$d.json" --cap "$tmp/$d.cap.json") || fail "$d failed:
$out"
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	echo "$d: passed in ${secs}s"
	expect_in "$out" '结果 PASSED'
	expect_not_in "$out" '✗'
	expect_in "$(cat "$tmp/$d.json")" '"passed":true'
	expect_in "$(cat "$tmp/$d.json")" '"failed":0'
	expect_in "$(cat "$tmp/$d.cap.json")" '"status":"Exercise"'
	expect_not_in "$(cat "$tmp/$d.cap.json")" '"status":"Actual"'
	python3 -c 'import json,sys; json.load(open(sys.argv[1])); json.load(open(sys.argv[2]))' \
		"$tmp/$d.json" "$tmp/$d.cap.json" || fail "$d: the report or CAP export is not JSON"
done

# The report says who did what and how fast.
r=$(cat "$tmp/typhoon-fengxian.json")
expect_in "$r" '"label":"pond1","ref":"[0-9]{6}-[0-9]{4}"'
expect_in "$r" '"ack":\{"at_s":2160.0,"after_s":60.0,"by":"officer_fx"\}'
expect_in "$r" '"units_used":6'
expect_in "$(cat "$tmp/gas-huangpu.json")" '"merged":1'

# Again, back to back, as fast as possible: a fast run's clock starts after
# the exercise time earlier runs used, its sensors start quiet (ENDEX), and
# its units are free again.
for d in bund-crowd typhoon-fengxian; do
	out=$("$CITYOPS" drill run "$CITYOPS_SRC/drills/$d.drill" --speed max --quiet) ||
		fail "$d failed when run again:
$out"
	expect_in "$out" '结果 PASSED'
done

# Each run is on record; the runs can be listed.
expect_in "$("$CITYOPS" drill list)" 'gas-huangpu +passed'
echo "1 passed, 0 failed"
