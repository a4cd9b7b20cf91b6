#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The share of the public example payloads (tests/feed/fixtures/public/)
# that cityops fully understands, partly understands, or refuses with the
# reason its README expects, for every file at the top level, in rules/,
# and the single messages in cap/, ngsi/ and open311/ (their @…@
# placeholders filled as the transport tests fill them; the Atom/RSS
# indexes are not messages, and UltraLight needs its MQTT topic: those are
# feed/cap-atom's and feed/mqtt's). Decoder level (feed-watch --file): what the database does
# afterwards (units, places, future_time, out_of_area) is
# tests/feed/rules.sh's. A file whose outcome differs from its README's
# `expect` (or that has none) is "wrong": the script lists it and exits 1,
# so nothing goes wrong silently (tests/feed/public-payloads.sh runs it).
#
#   bench/public-payloads.sh [path/to/cityops]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/cityops}
dir=$root/tests/feed/fixtures/public
total=0 full=0 part=0 refused_ok=0 wrong=0
for f in "$dir"/*.json* "$dir"/rules/*.json* "$dir"/cap/*.xml "$dir"/ngsi/*.json "$dir"/open311/*; do
	name=${f#"$dir"/}
	case $name in
	rules/*) name=${name#rules/} ;;
	*README* | cap/*-index.xml | open311/spec-services.xml) continue ;;
	esac
	expect=$(awk -F'|' -v n="$name" '$2 == " "n" " {gsub(/ /, "", $4); print $4}' "$dir/README.md")
	out=$(sed 's/@SEQ@/1/g; s/@AT@/2016-11-30T07:00:00Z/g; s/@V1@/12/g; s/@V2@/3/g' "$f" |
		tr '\n' ' ' | "$bin" feed-watch --json --file - 2>/dev/null)
	events=$(printf '%s\n' "$out" | grep -c '"type":' || true)
	reason=$(printf '%s\n' "$out" | sed -n 's/.*"rejected":"\([a-z_]*\)".*/\1/p' | head -1)
	skipped=$(printf '%s\n' "$out" | grep -c '"skipped"' || true)
	total=$((total + 1))
	if [ "$events" -gt 0 ] && [ -z "$reason" ] && [ "$skipped" -eq 0 ]; then
		got=understood
	elif [ "$events" -gt 0 ]; then
		got=partly
	else
		got=refused:$reason
	fi
	if [ "$got" != "$expect" ]; then
		wrong=$((wrong + 1))
		mark=WRONG
	else
		mark=
		case $got in
		understood) full=$((full + 1)) ;;
		partly) part=$((part + 1)) ;;
		*) refused_ok=$((refused_ok + 1)) ;;
		esac
	fi
	printf '%-45s %-22s expect %-20s %s\n' "$name" "$got" "${expect:-(none)}" "$mark"
done
pct() { awk -v a="$1" -v b="$total" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
echo "payloads $total: understood $full ($(pct $full)), partly $part ($(pct $part)), refused with the expected reason $refused_ok ($(pct $refused_ok)), wrong $wrong ($(pct $wrong))"
[ "$wrong" -eq 0 ]
