# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Every C file, header, SQL file and shell script of the tree carries the
# licence header (scripts/licence-headers --check), and the check fails on
# a copy with one file that lacks it, which the script then marks.
set -euo pipefail
SRC=${CITYOPS_SRC:?}
"$SRC/scripts/licence-headers" --check "$SRC" >/dev/null ||
	{ echo "FAIL: files without the licence header:"; "$SRC/scripts/licence-headers" --check "$SRC"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/console" "$tmp/scripts"
printf '/* a header */\n#include <stdio.h>\n' >"$tmp/console/new.c"
printf '#!/bin/sh\necho hi\n' >"$tmp/scripts/tool"
if out=$("$SRC/scripts/licence-headers" --check "$tmp" 2>&1); then
	echo "FAIL: --check passed a tree with unmarked files"
	exit 1
fi
grep -q 'console/new.c' <<<"$out" || { echo "FAIL: new.c not listed: $out"; exit 1; }
grep -q 'scripts/tool' <<<"$out" || { echo "FAIL: scripts/tool not listed: $out"; exit 1; }
"$SRC/scripts/licence-headers" "$tmp" 2>/dev/null
"$SRC/scripts/licence-headers" --check "$tmp" >/dev/null 2>&1 || { echo "FAIL: still unmarked after marking"; exit 1; }
[ "$(head -n1 "$tmp/scripts/tool")" = '#!/bin/sh' ] || { echo "FAIL: the #! line is no longer first"; exit 1; }
[ "$(sh "$tmp/scripts/tool")" = hi ] || { echo "FAIL: the marked script no longer runs"; exit 1; }
echo "1 passed, 0 failed"
