# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# cityops --version: the project's version from CMakeLists.txt, with the
# git description when built from a checkout; --verbose adds the libraries
# it runs with and, when it can connect, the server's version.
. "$(dirname "$0")/../lib.sh"
want=$(sed -n 's/^project(cityops VERSION \([0-9.]*\).*/\1/p' "$CITYOPS_SRC/CMakeLists.txt")
[ -n "$want" ] || fail "no version in CMakeLists.txt"
out=$("$CITYOPS" --version)
if git -C "$CITYOPS_SRC" rev-parse --git-dir >/dev/null 2>&1; then
	desc=$(git -C "$CITYOPS_SRC" describe --tags --always 2>/dev/null)
	expect_in "$out" "^cityops $want \\(git ${desc%%-dirty}(-dirty)?\\)\$"
else
	expect_in "$out" "^cityops $want\$"
fi
out=$("$CITYOPS" -V)
expect_in "$out" "^cityops $want"
out=$("$CITYOPS" --version --verbose)
expect_in "$out" "^ncurses +ncurses [0-9]+\\.[0-9]"
expect_in "$out" "^readline +[0-9]+\\.[0-9]"
expect_in "$out" "^libpq +1[0-9]\\.[0-9]+"
expect_in "$out" "^libwebsockets +[0-9]+\\.[0-9]"
expect_in "$out" "^cJSON +[0-9]+\\.[0-9]+\\.[0-9]+"
# No server: said so in one line, exit 0.
out=$(PGHOST=/nonexistent "$CITYOPS" --version --verbose)
expect_in "$out" "^server +not connected \\(socket /nonexistent .*\\)\$"
need_db
scratch_db
out=$("$CITYOPS" --version --verbose)
expect_in "$out" "^server +PostgreSQL 1[5-9]\\.[0-9]+ \\(socket "
