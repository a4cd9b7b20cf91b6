# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A drill runs while a person works a live console: the console sees the
# drill's incident when it asks for exercises, marked 演练; the person's
# acknowledgement counts in the drill's expectations and report.
. "$(dirname "$0")/../lib.sh"
scratch_db
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
co() { "$CITYOPS" --headless "$@"; }

# People act in real time: another speed is refused.
rc=0
out=$("$CITYOPS" drill run "$CITYOPS_SRC/tests/drill/human.drill" --speed 10 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "a drill with people at --speed 10 exited $rc"
expect_in "$out" 'officer_fx is left to people'

"$CITYOPS" drill run "$CITYOPS_SRC/tests/drill/human.drill" --report "$tmp/r.json" \
	>"$tmp/out" 2>&1 &
pid=$!

# The officer's console: the real queue never shows the drill; the
# exercise queue does, marked 演练.
ref=
for _ in $(seq 1 50); do
	ref=$(co -U officer_fx --json -c 'queue --exercise' |
		grep -o '"ref":"[^"]*","priority":2,"category":"flood"[^}]*测试：现场受理' |
		sed -n 's/"ref":"\([^"]*\)".*/\1/p' | head -1) || true
	[ -n "$ref" ] && break
	sleep 0.2
done
[ -n "$ref" ] || fail "the live console never saw the drill's incident: $(cat "$tmp/out")"
expect_in "$(co -U officer_fx -c 'queue --exercise')" "$ref.*演练"
expect_not_in "$(co -U officer_fx -c 'queue --limit 500')" "$ref"
co -U officer_fx -c "ack $ref 现场值班员受理" >/dev/null || fail "the officer could not ack $ref"

wait $pid || fail "the drill failed: $(cat "$tmp/out")"
pid=
out=$(cat "$tmp/out")
expect_in "$out" "… officer_fx: 「ack \\\$call」 留给现场值班人员"
expect_in "$out" "✓ line 8: \\\$call acknowledged within 12s — $ref acknowledged at \\+00:00:0[0-9] by officer_fx"
expect_in "$(cat "$tmp/r.json")" '"state":"human"'
expect_in "$(cat "$tmp/r.json")" '"passed":true'
echo "1 passed, 0 failed"
