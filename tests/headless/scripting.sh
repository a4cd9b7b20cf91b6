# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Script mode: files with comments, stdin, -c, --json, exit codes, --keep-going.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless -U super_city "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

cat >"$tmp/ok.txt" <<'SCRIPT'
# a comment, then blank lines

whoami
queue --limit 3
mode
SCRIPT
out=$(co --script "$tmp/ok.txt") || fail "ok script failed"
expect_in "$out" 'super_city'
expect_in "$out" '李静'

# JSON: one object per command, each on its own line.
out=$(co --json --script "$tmp/ok.txt")
[ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] || fail "want 3 JSON lines: $out"
expect_in "$(printf '%s\n' "$out" | head -1)" '^\{"command":"whoami","ok":true,"operator":\{"login":"super_city"'
expect_in "$(printf '%s\n' "$out" | sed -n 2p)" '^\{"command":"queue","ok":true,"incidents":\['

# The first failure stops the script with exit 1 and names the line.
printf 'whoami\nfrobnicate\nmode\n' >"$tmp/bad.txt"
rc=0; out=$(co --script "$tmp/bad.txt" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "bad script exited $rc"
expect_in "$out" 'line 2: error: unknown command'
expect_not_in "$out" '模式'

# --keep-going runs the rest but still exits 1.
rc=0; out=$(co --keep-going --script "$tmp/bad.txt" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "keep-going exited $rc"
expect_in "$out" '模式'

# Commands from stdin.
out=$(printf 'whoami\n' | co) || fail "stdin failed"
expect_in "$out" 'super_city'

# A missing script file is an invocation error.
rc=0; co --script "$tmp/none.txt" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "missing script exited $rc"

# Hostile text stored in the database reaches the terminal cleaned.
ref=$(co --json -c "raise noise 4 外滩街道 $(printf 'x\033]0;pwn\007y\342\200\256z')" | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
out=$(co -c "show $ref")
if printf '%s' "$out" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')"; then
	fail "control characters reached the output"
fi
expect_in "$out" 'x]0;pwnyz'
echo "1 passed, 0 failed"
