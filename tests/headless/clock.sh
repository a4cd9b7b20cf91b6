# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# One clock (issue 14) for headless output: on a machine in UTC with PGTZ=UTC
# the tables show Shanghai time and JSON carries ISO 8601 times with
# +08:00; "timezone America/New_York" in the config moves text and JSON
# together (-05:00 in December); a zone that is not one is refused with a
# message and nothing runs.
. "$(dirname "$0")/../lib.sh"
scratch_db
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config
# The alarm's raise time and the mode's as the database prints them in a zone.
at_in() {
	psql -qAtc "set timezone = '$1'; select to_char(raised_at, 'MM-DD HH24:MI'),
		to_char(raised_at, 'YYYY-MM-DD\"T\"HH24:MI:SS') from cityops.alarm
		where indicator_id = 'fx.tide.jinhui' and state <> 'cleared'"
}
IFS='|' read -r sh sh_iso <<<"$(at_in Asia/Shanghai)"
IFS='|' read -r ny ny_iso <<<"$(at_in America/New_York)"
IFS='|' read -r utc _ <<<"$(at_in UTC)"
[ "$sh" != "$utc" ] && [ "$ny" != "$utc" ] || fail "the zones print the same time"

run() { TZ=UTC PGTZ=UTC "$CITYOPS" -U officer_fx "$@"; }
out=$(run -c alarms) || fail "alarms failed: $out"
expect_in "$out" "fx.tide.jinhui .* $sh "
expect_not_in "$out" "fx.tide.jinhui .* $utc "
out=$(run --json -c alarms)
expect_in "$out" "\"indicator_id\":\"fx.tide.jinhui\",[^}]*\"raised_at\":\"$sh_iso(\\.[0-9]+)?\\+08:00\""
# Every timestamptz in JSON carries its offset; none is PostgreSQL's "+08".
out=$(run --json -c mode -c alarms -c units -c 'vitals')
expect_not_in "$out" '"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:'
expect_in "$out" '"set_at":"[0-9-]{10}T[0-9:.]+\+08:00"'

echo 'timezone America/New_York' >"$tmp/ny"
out=$(run --config "$tmp/ny" -c alarms)
expect_in "$out" "fx.tide.jinhui .* $ny "
out=$(run --config "$tmp/ny" --json -c alarms -c mode)
expect_in "$out" "\"raised_at\":\"$ny_iso(\\.[0-9]+)?-05:00\""
expect_in "$out" '"set_at":"[0-9-]{10}T[0-9:.]+-05:00"'
# The user's own config file is read too.
mkdir -p "$tmp/config/cityops"
cp "$tmp/ny" "$tmp/config/cityops/config"
out=$(run -c alarms)
expect_in "$out" "fx.tide.jinhui .* $ny "
rm "$tmp/config/cityops/config"

# A zone that is not one: refused with a message, nothing run.
printf 'timezone ../../etc/passwd\n' >"$tmp/bad"
rc=0
out=$(run --config "$tmp/bad" -c alarms 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "a bad zone exited $rc, want 2: $out"
expect_in "$out" "timezone: cannot use '../../etc/passwd'"
expect_not_in "$out" 'fx.tide.jinhui'
printf 'timezone \033[2J\n' >"$tmp/esc"
rc=0
out=$(run --config "$tmp/esc" -c alarms 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "an escape in the zone exited $rc: $out"
expect_not_in "$out" $'\033'
echo ok
