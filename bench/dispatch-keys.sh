#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Keystrokes and seconds to dispatch the recommended unit to a new P1 from
# the queue (issue 14), typed commands against the keys on the selection,
# in the same run. The console runs in tmux (tests/screen-lib.sh); each way
# starts with the new P1 selected in the queue and ends when the database
# has the incident dispatched. Seconds are the machine's (keys sent at
# once, screen polled every 0.1 s): what the console costs, not a
# person's reading and typing time, which the keystroke count stands for.
#
#   bench/dispatch-keys.sh [RUNS]   (needs a devdb and CITYOPS_TEMPLATE,
#                                    as the tests; CITYOPS=build/cityops)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export CITYOPS=${CITYOPS:-$here/build/cityops}
runs=${1:-3}
. "$here/tests/lib.sh"
scratch_db
. "$here/tests/screen-lib.sh"
state() { psql -qAtc "select state from cityops.incident where ref = '$1'"; }
wait_state() { while [ "$(state "$1")" != dispatched ]; do sleep 0.05; done; }
# Frees the units again (cancel releases them), so every run has the same choice.
release() { co -U super_fx -c "cancel $1 测量结束" >/dev/null; }
new_p1() { co -U super_fx --json -c "raise fire 1 南桥镇 测量$1" | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p'; }
select_ref() { keys Escape; keys Escape; keys /; type_text "$1"; keys Enter; wait_for "^P1 $1"; }
count() { printf '%s' "$1" | wc -m; }

screen_start 140 36 -- -U super_fx
wait_for 'DB ●'
for i in $(seq "$runs"); do
	ref=$(new_p1 "typed$i")
	select_ref "$ref"
	t0=$(date +%s.%N)
	line1=":rec $ref"
	type_text "$line1"
	keys Enter
	wait_for '^呼号 .*距离km'
	cs=$(screen | awk 'h{print $1; exit} /^呼号 /{h=1}')
	keys Escape
	line2=":d $ref $cs"
	type_text "$line2"
	keys Enter
	wait_state "$ref"
	t1=$(date +%s.%N)
	n=$(($(count "$line1") + 1 + 1 + $(count "$line2") + 1))
	printf 'typed  run %d: %d keystrokes (:rec REF ⏎, Esc, :d REF %s ⏎), %.2f s\n' \
		"$i" "$n" "$cs" "$(echo "$t1 - $t0" | bc)"
	release "$ref"
	keys Escape
	ref=$(new_p1 "keys$i")
	select_ref "$ref"
	t0=$(date +%s.%N)
	keys d
	wait_for '^\[ \] '
	keys Enter
	wait_state "$ref"
	t1=$(date +%s.%N)
	printf 'keys   run %d: 2 keystrokes (d ⏎), %.2f s\n' "$i" "$(echo "$t1 - $t0" | bc)"
	release "$ref"
	keys Escape
done
uptime
screen_quit
