# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The map pane's outline rendering (issue 15): at 200x60 the districts are
# drawn from their shapes in braille, labelled where they are, incidents
# as points, drill-down from the map; a district imported from GeoJSON is
# redrawn from its own outline without a restart; "map-outline off" falls
# back to the tiles. tests/screen/map.sh has the tiles at 80x24 and
# 120x36 and the recolouring.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

. "$(dirname "$0")/map-lib"

# The display row and column of an outline label "SYM NAME" at 200x60.
label_at() { where "$1"; }

# --- 200x60: outlines from the regions' shapes in braille (the default
# layout, the regions pane's place); labels where the districts are;
# incidents as points; the tile map is the fallback with map-outline off.
screen_start 200 60 -- -U super_city
wait_for '地图 上海市'
wait_for "${tile}崇明"
n=$(screen | python3 -c 'import sys; print(sum(0x2800 <= ord(c) <= 0x28ff for c in sys.stdin.read()))')
[ "$n" -ge 200 ] || fail "only $n braille cells at 200x60
$(screen)"
# Tiles are not drawn: no "P1·P2·P3·P4" tile lines under the labels.
screen | grep -qE '^ *[0-9]+·[0-9]+·[0-9]+·[0-9]+' && fail "tiles drawn with outlines"
set -- $(label_at 崇明); cmy=$1 cmx=$2
set -- $(label_at 宝山); bsy=$1
set -- $(label_at 奉贤); fxy=$1
set -- $(label_at 金山); jsy=$1
set -- $(label_at 青浦); qpx=$2
set -- $(label_at 浦东); pdy=$1 pdx=$2
[ "$cmy" -lt "$bsy" ] && [ "$bsy" -lt "$pdy" ] && [ "$pdy" -lt "$fxy" ] &&
	[ "$fxy" -le "$jsy" ] || fail "outline labels not north to south: 崇明 $cmy 宝山 $bsy 浦东 $pdy 奉贤 $fxy 金山 $jsy
$(screen)"
[ "$qpx" -lt "$pdx" ] && [ "$qpx" -lt "$cmx" ] || fail "青浦 not west of 浦东 and 崇明
$(screen)"
# Incidents are points: an open P1 placed in the empty south-west of
# 金山's outline adds a 2x2 dot block (all of ⠛ or of ⣤ in a cell). The
# incident is raised as usual, then moved there by psql (superuser) with
# the change's NOTIFY, as a feed's located report would be.
# Blocks in the cells just below and around 金山's label.
blocks() {
	set -- $(label_at 金山)
	screen | python3 -c '
import sys, unicodedata
y0, x0 = int(sys.argv[1]), int(sys.argv[2])
n = 0
for y, line in enumerate(sys.stdin.read().split("\n")):
    if not y0 + 1 <= y <= y0 + 3:
        continue
    x = 0
    for c in line:
        b = ord(c) - 0x2800
        if x0 - 3 <= x <= x0 + 7 and 0 <= b <= 0xff and (b & 0x1b == 0x1b or b & 0xe4 == 0xe4):
            n += 1
        x += 2 if unicodedata.east_asian_width(c) in "WF" else 1
print(n)' "$1" "$2"
}
[ "$(blocks)" = 0 ] || fail "金山's south-west is not empty
$(screen)"
ref=$(co -U super_city --json -c 'raise fire 1 西渡街道 地图点位测试' |
	sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise failed"
psql -qAtX -c "UPDATE cityops.incident i SET lat = r.lat - 0.12, lon = r.lon - 0.08
	FROM cityops.region r WHERE r.code = '310116' AND i.ref = '$ref'" >/dev/null
psql -qAtX -c "SELECT pg_notify('cityops', json_build_object('t', 'incident', 'ref', '$ref')::text)" >/dev/null
deadline=$((SECONDS + 30))
until [ "$(blocks)" -gt 0 ]; do
	[ $SECONDS -lt $deadline ] || fail "no point for the incident moved into 金山
$(screen)"
	sleep 0.2
done
# Drill-down from the outline map: m hides it, m shows it with the
# focus; the selection starts at 黄浦 (first by code); Enter drills
# into it; Esc comes back; Right moves to a district east (浦东).
keys m
wait_gone '地图 上海市'
keys m
wait_for '地图 上海市'
wait_for '黄浦区 '
keys Enter
wait_for '上海市 › 黄浦区'
keys Escape
wait_for '地图 上海市'
keys Right
wait_for '浦东新区 '
keys Enter
wait_for '上海市 › 浦东新区'
screen_stop

# The island is drawn with diagonal strokes no box has: cells of two dots
# on neighbouring rows in opposite columns (⠑ ⠢ ⢄ ⠊ ⠔ ⡠).
diagonals() {
	screen | python3 -c '
import sys
print(sum(1 for c in sys.stdin.read() if ord(c) - 0x2800 in (0x11, 0x22, 0x84, 0x0a, 0x14, 0x60)))'
}

# A district imported from GeoJSON (issue 10's `region import`) is drawn
# from its own outline, live: an approximate hand-traced outline of
# Chongming island (WNW-ESE, about 121.2-121.97 E, 31.47-31.85 N; not an
# official boundary) replaces the demo's box, and the console redraws
# without a restart.
cat >"$SCREEN_HOME/cm.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [{"type": "Feature",
 "properties": {"code": "310151", "name": "崇明区", "level": "district"},
 "geometry": {"type": "Polygon", "coordinates": [[[121.18, 31.85],
  [121.40, 31.80], [121.60, 31.72], [121.80, 31.63], [121.98, 31.53],
  [121.92, 31.47], [121.70, 31.52], [121.50, 31.60], [121.30, 31.68],
  [121.20, 31.75], [121.18, 31.85]]]}}]}
JSON
screen_start 200 60 -- -U super_city
wait_for '地图 上海市'
wait_for "${tile}崇明"
set -- $(label_at 崇明); cmx0=$2
[ "$(diagonals)" = 0 ] || fail "diagonals before the import"
co -U admin_city -c "region import $SCREEN_HOME/cm.geojson" >/dev/null ||
	fail "region import failed"
deadline=$((SECONDS + 30))
while :; do
	set -- $(label_at 崇明); cmx1=$2
	[ "$cmx1" != "$cmx0" ] && break
	[ $SECONDS -lt $deadline ] || fail "崇明 not redrawn from its imported outline (label at $cmx0)
$(screen)"
	sleep 0.2
done
# The island is drawn with diagonal strokes no box has.
[ "$(diagonals)" -ge 6 ] || fail "no diagonal outline after the import
$(screen)"
screen_stop

# The fallback at 200x60: "map-outline off" draws tiles.
mkdir -p "$SCREEN_HOME/config/cityops"
echo 'map-outline off' >"$SCREEN_HOME/config/cityops/config"
screen_start 200 60 -- -U super_city
wait_for '地图 上海市'
wait_for "${tile}崇明"
check_geography
screen_stop
rm "$SCREEN_HOME/config/cityops/config"

