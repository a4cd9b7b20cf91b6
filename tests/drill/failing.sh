# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A drill whose desk acknowledges too late fails, naming the expectation
# that failed (and only that one), with exit status 1.
. "$(dirname "$0")/../lib.sh"
scratch_db
tmp=$(mktemp)
trap 'rm -f "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

rc=0
out=$("$CITYOPS" drill run "$CITYOPS_SRC/tests/drill/late-ack.drill" --speed max \
	--report "$tmp" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "a failing drill exited $rc, want 1:
$out"
expect_in "$out" '✗ line 9: \$late acknowledged within 2m — [0-9-]+ not acknowledged by \+00:02; it is new'
expect_in "$out" '✓ line 10: \$late dispatched within 5m'
expect_in "$out" '结果 FAILED: 1/2 expectations held'
expect_in "$(cat "$tmp")" '"line":9,"expect":"\$late acknowledged within 2m","held":false'
expect_in "$(cat "$tmp")" '"passed":false'
expect_in "$("$CITYOPS" drill list)" 'late-ack +failed +1/1'
echo "1 passed, 0 failed"
