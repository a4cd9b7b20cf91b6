# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Automatic escalation with several schedulers at once: two looping
# `cityops escalate-due --every 1` and bursts of six one-shot passes, all
# against 40 overdue P1 incidents. Each breach step fires exactly once:
# every incident ends at 督办3 with three 'system' timeline rows, and the
# schedulers together report exactly 40 × 3 escalations.
. "$(dirname "$0")/../lib.sh"
scratch_db
N=40
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The demo's own overdue incidents first, so that only ours are left.
PGUSER=cityops_ingest "$CITYOPS" escalate-due >/dev/null || fail "first pass failed"

psql -qAt -v ON_ERROR_STOP=1 >"$tmp/refs" <<SQL || fail "cannot raise the incidents"
SET SESSION AUTHORIZATION officer_hp;
SELECT (cityops.incident_raise('fire', 1, '310101', '调度竞争 ' || g)).ref FROM generate_series(1, $N) g;
SQL
[ "$(wc -l <"$tmp/refs")" -eq "$N" ] || fail "raised $(wc -l <"$tmp/refs") of $N"
refs=$(sed "s/.*/'&'/" "$tmp/refs" | paste -sd,)

# Two schedulers loop; the deadlines pass (40 minutes ago: all 3 steps)
# while they run.
for s in a b; do
	PGUSER=cityops_ingest "$CITYOPS" escalate-due --every 1 >"$tmp/loop-$s" 2>&1 &
	pids+=($!)
done
psql -qAt -c "UPDATE cityops.incident SET ack_due = now() - interval '40 minutes' WHERE ref IN ($refs)" >/dev/null
# ... and bursts of one-shot passes race them.
for round in 1 2 3; do
	for k in 1 2 3 4 5 6; do
		PGUSER=cityops_ingest "$CITYOPS" escalate-due >"$tmp/once-$round-$k" 2>&1 &
	done
	for k in 1 2 3 4 5 6; do wait -n 2>/dev/null || true; done
done

# Wait until every step has fired, then until each loop has done two more
# passes after that (so that each had its chance to fire one twice).
deadline=$((SECONDS + 180))
done_q="SELECT count(*) FROM cityops.escalation_fired f JOIN cityops.incident i ON i.id = f.incident_id WHERE i.ref IN ($refs)"
until [ "$(psql -qAt -c "$done_q")" -eq $((N * 3)) ]; do
	[ $SECONDS -lt $deadline ] || fail "only $(psql -qAt -c "$done_q") of $((N * 3)) steps fired"
	sleep 0.2
done
for s in a b; do
	base=$(grep -c '^pass ' "$tmp/loop-$s")
	until [ "$(grep -c '^pass ' "$tmp/loop-$s")" -ge $((base + 2)) ]; do
		[ $SECONDS -lt $deadline ] || fail "scheduler $s stopped passing: $(tail -3 "$tmp/loop-$s")"
		sleep 0.2
	done
done
for p in "${pids[@]}"; do kill "$p"; done
wait "${pids[@]}" 2>/dev/null
pids=()

grep -h 'cannot\|ERROR\|error' "$tmp"/loop-* "$tmp"/once-* && fail "a scheduler failed"
levels=$(psql -qAt -c "SELECT escalation, count(*) FROM cityops.incident WHERE ref IN ($refs) GROUP BY 1")
[ "$levels" = "3|$N" ] || fail "levels: $levels"
rows=$(psql -qAt -c "SELECT count(*) FROM cityops.incident_event e JOIN cityops.incident i ON i.id = e.incident_id WHERE i.ref IN ($refs) AND e.actor = 'system' AND e.action = 'escalate'")
[ "$rows" -eq $((N * 3)) ] || fail "$rows system timeline rows, want $((N * 3))"
reported=$(cat "$tmp"/loop-* "$tmp"/once-* | grep -c ' step [123] → 督办')
[ "$reported" -eq $((N * 3)) ] || fail "the schedulers reported $reported escalations, want $((N * 3))"
by=$(cat "$tmp"/loop-* "$tmp"/once-* | grep ' step [123] → 督办' | sort | uniq -d | head -3)
[ -z "$by" ] || fail "reported twice: $by"
audit=$(psql -qAt -c "SELECT count(*) FROM cityops.audit WHERE action = 'incident.escalate.auto' AND object IN ($refs)")
[ "$audit" -eq $((N * 3)) ] || fail "$audit audit rows, want $((N * 3))"
echo "1 passed, 0 failed"
