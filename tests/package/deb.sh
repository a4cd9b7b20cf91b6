# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The Debian package, installed on this machine as an administrator would
# (apt-get install ./cityops_*.deb), then used with no checkout around:
# --version, the man pages, doctor against the test cluster, a headless
# command from another folder, the shipped drills and scenarios by name,
# bash completion, the system user and the ingest unit, and the console in
# tmux with its themes. scripts/test builds the .deb once (scripts/package)
# into build-deb/. Needs root (CI is root); otherwise skipped (77).
. "$(dirname "$0")/../lib.sh"
SRC=${CITYOPS_SRC:?}
deb=$(ls "$SRC"/build-deb/cityops_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	echo "skipped: no build-deb/cityops_*.deb (scripts/package builds it; scripts/test runs it)" >&2
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: installing the package needs root (apt-get install -y $deb)" >&2
	exit 77
fi
scratch_db
export DEBIAN_FRONTEND=noninteractive
# Held for the whole test, so parallel runs do not install over each other.
exec 9>/tmp/cityops-deb-test.lock
flock 9
apt-get install -y -q --reinstall "$deb" >/tmp/cityops-deb-test.log 2>&1 ||
	fail "apt-get install failed: $(tail -20 /tmp/cityops-deb-test.log)"
trap 'apt-get purge -y -q cityops >/dev/null 2>&1 || true; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

away=$(mktemp -d)
cd "$away"
export HOME=$away XDG_CONFIG_HOME=$away/config XDG_STATE_HOME=$away/state
unset CITYOPS_THEMES CITYOPS_SCENARIOS CITYOPS_SQL_DIR XDG_DATA_HOME XDG_DATA_DIRS
BIN=/usr/bin/cityops
[ -x $BIN ] || fail "$BIN not installed"

# --version: the project's version (CMakeLists.txt) and the package's.
want=$(sed -n 's/^project(cityops VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
out=$($BIN --version)
expect_in "$out" "^cityops $want( \\(git [0-9a-z.~+-]+\\))?\$"
expect_in "$(dpkg-query -W -f='${Version}' cityops)" "^$want"
out=$($BIN --version --verbose)
for lib in ncurses readline libpq libwebsockets cJSON; do expect_in "$out" "^$lib +[0-9a-z]"; done
expect_in "$out" "^server +PostgreSQL 1[5-9]"

# The man pages, where man finds them.
for page in 1:cityops 5:cityops-config 5:cityops-drill 7:cityops-feeds; do
	path=$(man -w "${page%%:*}" "${page#*:}") || fail "man -w ${page#*:} found nothing"
	expect_in "$path" "^/usr/share/man/man${page%%:*}/${page#*:}\\.${page%%:*}"
done

# doctor against the test cluster: all well, and a problem named.
out=$(LC_ALL=C.UTF-8 $BIN doctor) || fail "doctor failed: $out"
expect_in "$out" '^ok +connection .*PostgreSQL 1[5-9]'
expect_in "$out" '^ok +schema +[0-9]+ migrations applied, none pending'
rc=0
out=$(LC_ALL=C.UTF-8 PGHOST=/nonexistent $BIN doctor) || rc=$?
[ $rc -eq 1 ] || fail "doctor with a wrong host exited $rc"
expect_in "$out" 'hint: '

# A headless command from a folder with no checkout; the shipped drill and
# scenario by name.
out=$($BIN -U officer_fx --headless -c 'whoami')
expect_in "$out" 'officer_fx'
expect_in "$($BIN drill check typhoon-fengxian)" 'expectations'
expect_in "$($BIN feed-sim --scenario typhoon --dump --count 2)" '"t":"r"'
[ -d /usr/share/cityops/sql/migrations ] || fail "no migrations in /usr/share/cityops/sql"

# Bash completion, from where bash-completion looks.
comp=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null || echo /usr/share/bash-completion/completions)
[ -r "$comp/cityops" ] || fail "no completion in $comp"
out=$(bash -c '. "$1"; COMP_WORDS=(cityops --theme ""); COMP_CWORD=2; _cityops; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp/cityops")
for t in dark light high-contrast monochrome; do expect_in "$out" "^$t\$"; done

# The system user and the unit (systemd-analyze checks it without a
# running systemd).
getent passwd cityops >/dev/null || fail "no system user cityops"
unit=$(ls /lib/systemd/system/cityops-ingest.service /usr/lib/systemd/system/cityops-ingest.service 2>/dev/null | head -n 1)
[ -n "$unit" ] || fail "no cityops-ingest.service"
for opt in ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes User=cityops \
	EnvironmentFile=/etc/cityops/ingest.conf; do
	grep -q "^$opt" "$unit" || fail "$unit lacks $opt"
done
[ -f /etc/cityops/ingest.conf ] || fail "no /etc/cityops/ingest.conf"
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $out"
fi
# The unit's command line, as the unit's user: ingest starts, reaches the
# database and stops on SIGTERM.
chmod 755 "$away"
install -d -o cityops "$away/ingest"
out=$(runuser -u cityops -- env PGHOST="$PGHOST" PGDATABASE="$PGDATABASE" PGUSER=cityops_ingest \
	timeout -s TERM 4 $BIN ingest --log - --feed ws://127.0.0.1:1/ --state "$away/ingest/state" 2>&1) || true
expect_in "$out" 'ingest: starting as cityops_ingest'
expect_in "$out" 'ingest: database up'

# The installed console in tmux, nothing of the checkout reachable: the
# theme loads (colour on screen, no fallback message); a missing one does
# not, so the check can fail.
CITYOPS=$BIN
. "$SRC/tests/screen-lib.sh"
trap 'screen_cleanup; apt-get purge -y -q cityops >/dev/null 2>&1 || true' EXIT
colour=$'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'
screen_start 120 36 -- -U super_city --theme high-contrast
wait_for '事件队列 +[0-9]+ 件未结'
expect_not_in "$(screen)" 'monochrome in use'
screen_raw | grep -E "$colour" >/dev/null || fail "no colour with the installed high-contrast theme"
screen_quit
screen_stop
screen_start 120 36 -- -U super_city --theme no-such-theme
wait_for 'monochrome in use'
screen_stop
