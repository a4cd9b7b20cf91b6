# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# `cmake --install BUILD --prefix DIR` gives a tree that runs from
# DIR/bin/cityops with no checkout around: the themes (the console in
# tmux), scenarios and drills are found under DIR/share/cityops through the
# binary's own location, and the man pages and completion are in place.
# With DIR/share/cityops taken away the same lookups fail, so the test
# can fail.
. "$(dirname "$0")/../lib.sh"
BUILD=$(dirname "${CITYOPS:?}")
prefix=$(mktemp -d /tmp/cityops-prefix.XXXXXX)
away=$(mktemp -d)
trap 'rm -rf "$prefix" "$away"' EXIT
cmake --install "$BUILD" --prefix "$prefix" >"$away/install.log" 2>&1 ||
	fail "cmake --install failed: $(tail "$away/install.log")"
cd "$away"
# Nothing from the environment or the system points at data.
export HOME=$away XDG_CONFIG_HOME=$away/config XDG_STATE_HOME=$away/state \
	XDG_DATA_HOME=$away/data XDG_DATA_DIRS=$away/none
unset CITYOPS_THEMES CITYOPS_SCENARIOS CITYOPS_SQL_DIR
BIN=$prefix/bin/cityops
[ -x "$BIN" ] || fail "no $BIN"
[ ! -e "$prefix/bin/cityops-source-dir" ] || fail "the build tree's marker was installed"

expect_in "$($BIN --version)" '^cityops [0-9]+\.[0-9]+\.[0-9]+'
expect_in "$($BIN feed-sim --scenario typhoon --dump --count 2)" '"t":"r"'
expect_in "$($BIN drill check typhoon-fengxian)" 'expectations'
for f in share/man/man1/cityops.1 share/man/man5/cityops-config.5 share/man/man5/cityops-drill.5 \
	share/man/man7/cityops-feeds.7 share/bash-completion/completions/cityops \
	share/doc/cityops/README.md share/cityops/sql/migrations/001_schema.sql \
	share/cityops/themes/dark.theme etc/cityops/ingest.conf; do
	[ -f "$prefix/$f" ] || fail "not installed: $f"
done
expect_in "$(MANPATH=$prefix/share/man man -w cityops-config)" "^$prefix/share/man/man5/"
grep -q "ExecStart=.*/cityops ingest" "$prefix"/lib/systemd/system/cityops-ingest.service ||
	fail "no ingest unit under the prefix"

if [ -n "${CITYOPS_TEMPLATE:-}" ] && [ -n "${PGHOST:-}" ] && command -v tmux >/dev/null; then
	scratch_db
	CITYOPS=$BIN
	. "$(dirname "$0")/../screen-lib.sh"
	trap 'screen_cleanup; rm -rf "$prefix" "$away"' EXIT
	screen_start 120 36 -- -U super_city --theme light
	wait_for '事件队列 +[0-9]+ 件未结'
	expect_not_in "$(screen)" 'monochrome in use'
	screen_quit
	screen_stop
fi

# Take the data away: the same lookups now fail, with a message.
mv "$prefix/share/cityops" "$prefix/share/cityops.away"
rc=0
out=$($BIN feed-sim --scenario typhoon --dump --count 2 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "feed-sim found a scenario without share/cityops: $out"
expect_in "$out" 'cannot open scenario typhoon'
rc=0
out=$($BIN drill check typhoon-fengxian 2>&1) || rc=$?
[ $rc -eq 2 ] || fail "drill check found a drill without share/cityops (exit $rc): $out"
