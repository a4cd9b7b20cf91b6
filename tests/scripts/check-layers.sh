# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# scripts/check-layers passes on the tree and fails on planted crossings:
# libpq in core, the screen's headers (and so curses) in the desk, cJSON
# in the database layer.
set -euo pipefail
SRC=${CITYOPS_SRC:?}
"$SRC/scripts/check-layers" "$SRC" || { echo "FAIL: the tree crosses its layers"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/console/core" "$tmp/console/desk" "$tmp/console/db"
ln -s "$SRC/include" "$tmp/include"
printf '#include <libpq-fe.h>\n' >"$tmp/console/core/bad.c"
printf '#include "cityops/ui/draw.h"\n' >"$tmp/console/desk/bad.c"
printf '#include <cjson/cJSON.h>\n' >"$tmp/console/db/bad.c"
if out=$("$SRC/scripts/check-layers" "$tmp" 2>&1); then
	echo "FAIL: planted crossings passed: $out"
	exit 1
fi
for want in 'console/core/bad.c includes .*libpq-fe.h' \
	'console/desk/bad.c includes include/cityops/ui/draw.h' \
	'console/desk/bad.c includes .*curses.h' \
	'console/db/bad.c includes .*cJSON.h'; do
	grep -Eq "$want" <<<"$out" || { echo "FAIL: no '$want' in: $out"; exit 1; }
done
echo "ok: the tree keeps its layers; 3 planted crossings caught"
