# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The catalogue by command (issue 10), as an admin would type it, headless:
# an admin adds an indicator and maps a real sensor to it without SQL, and
# imports regions from GeoJSON; an officer, a viewer and a read-only
# console are refused with a clear message and nothing changes; bad files
# are refused whole.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
count() { psql -qAtc "select (select count(*) from cityops.indicator) || '/' ||
	(select count(*) from cityops.entity_map) || '/' || (select count(*) from cityops.region)"; }
before=$(count)

refused() { # refused LOGIN COMMAND PATTERN [extra args]
	local out rc=0
	out=$(co -U "$1" ${4:-} -c "$2" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "$1 ran '$2': $out"
	expect_in "$out" "$3"
}
refused officer_fx 'indicator add fx.wind.x 测 --category weather --unit KMH --region 海湾镇 --warn 1 --alarm 2' '需要管理员权限'
refused viewer_wall 'feed map add WeatherObserved * windSpeed fx.wind' '需要管理员权限'
refused super_city 'feed unmapped' '需要管理员权限'
refused officer_fx 'feed conflicts' '需要管理员权限'
refused admin_city 'indicator add fx.wind.x 测 --category weather --unit KMH --region 海湾镇 --warn 1 --alarm 2' 'read-only console' --readonly
refused admin_city 'feed map add WeatherObserved * windSpeed fx.wind' 'read-only console' --readonly
refused admin_city 'feed map remove WeatherObserved * windSpeed' 'read-only console' --readonly
# The two reads run on a read-only console, for the role that may read them.
out=$(co -U admin_city --readonly -c 'feed map list WeatherObserved' 2>&1) ||
	fail "read-only feed map list refused: $out"
expect_in "$out" 'windSpeed'
out=$(co -U admin_city --readonly -c 'feed unmapped' 2>&1) ||
	fail "read-only feed unmapped refused: $out"
refused officer_fx 'feed map list' '需要管理员权限' --readonly
printf '{"type":"FeatureCollection","features":[]}' >"$tmp/empty.geojson"
refused officer_fx "region import $tmp/empty.geojson" 'region import needs role admin'
refused admin_city "region import $tmp/missing.geojson" 'cannot open'
printf '{"type":"Feature"}' >"$tmp/bad.geojson"
refused admin_city "region import $tmp/bad.geojson" 'needs a GeoJSON FeatureCollection'
refused admin_city 'indicator add fx.wind.x 测 --category weather --unit XYZ --region 海湾镇 --warn 1 --alarm 2' 'unknown unit code XYZ'
[ "$(count)" = "$before" ] || fail "a refused command changed the catalogue"

# An admin, no SQL: an indicator, a sensor mapped to it, regions imported.
out=$(co -U admin_city --json -c 'indicator add fx.wind.x 海湾镇测试风速 --category weather --unit KMH --region 海湾镇 --warn 50 --alarm 75 --stale 600')
expect_in "$out" '"unit_code":"KMH"'
out=$(co -U admin_city -c 'feed map add WeatherObserved urn:ngsi-ld:Device:aws-7 windSpeed fx.wind.x MTS')
expect_in "$out" 'mapping added'
out=$(co -U admin_city -c 'feed map list WeatherObserved')
expect_in "$out" 'urn:ngsi-ld:Device:aws-7'
cat >"$tmp/grid.geojson" <<'JSON'
{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"code":"310120123-09","name":"海湾第九网格","parent":"310120123","level":"grid"},
  "geometry":{"type":"MultiPolygon","coordinates":[[[[121.570,30.820],[121.572,30.820],[121.572,30.822],[121.570,30.822],[121.570,30.820]]]]}}]}
JSON
out=$(co -U admin_city -c "region import $tmp/grid.geojson")
expect_in "$out" '1 region\(s\) imported'
[ "$(psql -qAtc "select region_code from cityops.region_at(30.821, 121.571)")" = 310120123-09 ] ||
	fail "the imported grid does not contain its own point"
out=$(co -U admin_city -c 'indicator retire fx.wind.x')
expect_in "$out" 'retired'
[ "$(psql -qAtc "select count(*) from cityops.audit where object like 'fx.wind.x%' or object like 'WeatherObserved/urn:ngsi-ld:Device:aws-7%' or action = 'region.import'")" = 4 ] ||
	fail "not every change was audited"
echo "1 passed, 0 failed"
