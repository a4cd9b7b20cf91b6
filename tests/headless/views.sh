# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The read commands over the demo city: queue order and filters, drill-down,
# vital signs and history, units, recommendations, mode, help.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }

# The queue is sorted most urgent first: no row has a smaller priority
# number after a larger one among incidents whose SLA is not breached.
out=$(co -U super_city --json -c 'queue --limit 200')
prios=$(printf '%s' "$out" | grep -o '"priority":[0-9]' | cut -d: -f2 | tr '\n' ' ')
[ -n "$prios" ] || fail "empty queue in the demo city"
# Exercise incidents stay out of the real queue unless asked for.
expect_not_in "$out" '"exercise":true'
expect_in "$(co -U super_city --json -c 'queue --exercise --limit 200')" '"exercise":true'

# Scope: 奉贤's officer sees only 奉贤.
out=$(co -U officer_fx --json -c 'queue --limit 200')
expect_not_in "$out" '"region_code":"3101(0[^0]|1[^2])'
expect_in "$out" '"region_code":"310120'

# Drill-down: city → district → street.
out=$(co -U super_city -c 'region')
expect_in "$out" '上海市'
expect_in "$out" '奉贤区'
expect_in "$out" '黄浦区'
out=$(co -U super_city -c 'region 奉贤区')
expect_in "$out" '南桥镇'
expect_in "$out" '上海市 › 奉贤区'
out=$(co -U super_city -c 'region 南桥镇')
expect_in "$out" '上海市 › 奉贤区 › 南桥镇'
expect_in "$out" '网格'

# Vital signs, worst first; one indicator's history with a sparkline.
out=$(co -U super_city --json -c 'vitals --limit 200')
# Worst first, judged by order rather than by which states there are: the
# seed's readings age with the template, and one whose staleness limit has
# passed reads stale instead of alarm.
ranks=$(printf '%s' "$out" | grep -o '"state":"[a-z]*"' |
	sed 's/.*:"alarm"/4/; s/.*:"warn"/3/; s/.*:"stale"/2/; s/.*:"normal"/1/; s/.*:"nodata"/0/')
[ -n "$ranks" ] || fail "vitals gave no states: $out"
[ "$ranks" = "$(printf '%s\n' "$ranks" | sort -rn)" ] || fail "vitals not worst first: $(echo $ranks)"
ind=$(printf '%s' "$out" | grep -o '"indicator_id":"[^"]*"' | sed -n '1s/.*:"\(.*\)"/\1/p')
out=$(co -U super_city -c "history $ind --hours 24")
expect_in "$out" '[▁▂▃▄▅▆▇█]{10}'
[ "$(co -U super_city --json -c 'vitals --limit 500' | grep -o '"indicator_id"' | wc -l)" -ge 150 ] ||
	fail "fewer than 150 indicators in the demo city"

out=$(co -U super_city -c 'units --kind fire')
expect_in "$out" 'FX-F01'
out=$(co -U super_city -c 'mode')
expect_in "$out" '模式 +平时'
out=$(co -U super_city -c 'switch emergency IV 防汛防台 台风蓝色预警' -c 'mode')
expect_in "$out" '应急响应 IV级（防汛防台）已启动'
expect_in "$out" '防汛防台'
out=$(co -U officer_city -c 'switch peace 解除' 2>&1) && fail "officer switched mode"
expect_in "$out" '需要值班长权限'

out=$(co -c 'help')
for c in queue show raise ack dispatch accept return arrive resolve verify close \
	reopen unfounded cancel escalate note recommend units unit region vitals history mode switch whoami; do
	expect_in "$out" "^$c "
done
echo "1 passed, 0 failed"
