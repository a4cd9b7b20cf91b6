# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Sourced by database, headless and screen tests. Each test gets a private
# copy of the seeded template database, dropped when the test ends.
set -euo pipefail

need_db() {
	if [ -z "${CITYOPS_TEMPLATE:-}" ] || [ -z "${PGHOST:-}" ]; then
		echo "skipped: no test database (run through scripts/test)" >&2
		exit 77
	fi
}

# scratch_db: creates a copy of $CITYOPS_TEMPLATE, exports PGDATABASE.
scratch_db() {
	need_db
	local name="t_$$_${RANDOM}"
	createdb -T "$CITYOPS_TEMPLATE" "$name"
	export PGDATABASE=$name
	trap 'dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_in TEXT PATTERN: fails unless grep -E finds PATTERN in TEXT. A
# here-string, not a pipe: grep -q stops reading at the first match, and
# under pipefail the writer's SIGPIPE would fail a check that matched.
expect_in() {
	grep -Eq -- "$2" <<<"$1" || fail "expected /$2/ in:
$1"
}

expect_not_in() {
	if grep -Eq -- "$2" <<<"$1"; then fail "did not expect /$2/ in:
$1"; fi
}
