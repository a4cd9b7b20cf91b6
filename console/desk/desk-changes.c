/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Change records, applied once (desk-sync-internal.h). A notification
 * with a sequence only says "read the change log again"; the answer of
 * changes_since is merged by change-seq.h, and each fresh change is
 * applied here: what it changed is read again, and units, alarms, mode
 * and sources become event lines with their sequence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/log.h"
#include "cityops/core/names.h"
#include "cityops/core/util.h"
#include "desk-sync-internal.h"

int
desk_json_field(const char *js, const char *key, char *out, size_t outsz)
{
	char pat[48];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof pat, "\"%s\"", key);
	p = strstr(js, pat);
	if (p == NULL)
		return -1;
	p += strlen(pat);
	p += strspn(p, " \t:");
	if (*p == '"') {
		p++;
		while (*p && *p != '"' && n + 1 < outsz) {
			if (*p == '\\' && p[1])
				p++;
			out[n++] = *p++;
		}
	} else {
		while (*p && *p != ',' && *p != '}' && n + 1 < outsz)
			out[n++] = *p++;
	}
	out[n] = '\0';
	return 0;
}

/* One change, applied once: what it changed is read again, and units,
 * alarms and mode become event lines (with their sequence). */
static void
apply_change(struct desk_sync *sy, long long seq, const char *payload)
{
	char type[16] = "", ref[32] = "", id[64] = "", st[32] = "";

	desk_json_field(payload, "t", type, sizeof type);
	if (strcmp(type, "event") == 0) {
		desk_sync_want(sy, W_EVENTS);
	} else if (strcmp(type, "incident") == 0) {
		desk_json_field(payload, "ref", ref, sizeof ref);
		desk_json_field(payload, "id", id, sizeof id);
		desk_sync_want(sy, W_QUEUE | W_COUNTS | W_REGIONS | W_POINTS);
		if (sy->h.incident)
			sy->h.incident(sy->h.arg, ref[0] ? ref : id);
	} else if (strcmp(type, "unit") == 0) {
		desk_json_field(payload, "id", id, sizeof id);
		desk_json_field(payload, "status", st, sizeof st);
		desk_sync_event(sy, DESK_SEV_DIM, "单位 %s → %s #%lld", id,
		                names_unit_status(st), seq);
		desk_sync_want(sy, W_UNITS);
	} else if (strcmp(type, "mode") == 0) {
		desk_sync_event(sy, DESK_SEV_WARN, "模式变更 #%lld", seq);
		desk_sync_want(sy, W_MODE);
	} else if (strcmp(type, "alarm") == 0) {
		desk_json_field(payload, "indicator", id, sizeof id);
		desk_json_field(payload, "state", st, sizeof st);
		desk_sync_event(
		    sy, strcmp(st, "raised") == 0 ? DESK_SEV_CRIT : DESK_SEV_OK,
		    "告警 %s %s #%lld", id, names_alarm_state(st), seq);
		desk_sync_want(sy, W_VITALS | W_REGIONS | W_ALARMS);
	} else if (strcmp(type, "handover") == 0) {
		char to[64] = "";
		desk_json_field(payload, "from", id, sizeof id);
		desk_json_field(payload, "to", to, sizeof to);
		desk_json_field(payload, "state", st, sizeof st);
		desk_sync_event(
		    sy, DESK_SEV_WARN, "交接班 %s → %s %s #%lld", id, to,
		    strcmp(st, "accepted") == 0 ? "已接班" : "待接班", seq);
	} else if (strcmp(type, "source") == 0) {
		desk_json_field(payload, "label", id, sizeof id);
		desk_json_field(payload, "ok", st, sizeof st);
		if (strcmp(st, "true") == 0)
			desk_sync_event(sy, DESK_SEV_OK, "数据源恢复: %s #%lld",
			                id, seq);
		else
			desk_sync_event(sy, DESK_SEV_CRIT,
			                "数据源故障: %s #%lld", id, seq);
		desk_sync_want(sy, W_SOURCES);
	} else {
		desk_sync_want(sy, W_ALL & ~W_CHANGES);
	}
}

void
desk_sync_apply_changes(struct desk_sync *sy, const struct fetch_req *fr,
                        const struct db_table *tb)
{
	struct change_seq_row *rows =
	    xcalloc((size_t)tb->nrows + 1, sizeof *rows);
	int *fresh = xcalloc((size_t)tb->nrows + 1, sizeof *fresh), n = 0;
	uint64_t horizon = 0;
	long long total = 0, missed = 0;
	enum change_seq_verdict v;

	for (int i = 0; i < tb->nrows; i++) {
		horizon = strtoull(db_get(tb, i, "horizon") ?: "0", NULL, 10);
		total = atoll(db_get(tb, i, "total") ?: "0");
		if (db_get(tb, i, "seq") == NULL)
			continue; /* no change: the horizon only */
		rows[n].seq = atoll(db_get(tb, i, "seq"));
		rows[n].tx = strtoull(db_get(tb, i, "tx") ?: "0", NULL, 10);
		n++;
	}
	v = change_seq_merge(&sy->cs, fr->cs_has, fr->cs_seq, fr->cs_horizon,
	                     horizon, total, rows, n, fresh, &missed);
	if (v == CHANGE_SEQ_GAP) {
		desk_sync_event(sy, DESK_SEV_WARN,
		                "… %lld 条变更未显示, 全量同步", missed);
		desk_sync_want(sy, W_ALL & ~W_CHANGES);
	}
	for (int i = 0, k = 0; i < tb->nrows && v != CHANGE_SEQ_STALE; i++) {
		if (db_get(tb, i, "seq") == NULL)
			continue;
		if (fresh[k++])
			apply_change(sy, (long long)rows[k - 1].seq,
			             db_get(tb, i, "payload") ?: "{}");
	}
	free(rows);
	free(fresh);
}

/* A notification: a change with a sequence is read from the change log
 * (so it applies once, in the same way as after an outage); one without
 * (an older server) refetches everything. */
void
desk_sync_on_notify(void *arg, const char *payload)
{
	struct desk_sync *sy = arg;
	char seq[24] = "";

	log_msg(LOG_DEBUG, "notify %s", payload);
	if (desk_json_field(payload, "seq", seq, sizeof seq) == 0 && seq[0])
		desk_sync_want(sy, W_CHANGES);
	else
		desk_sync_want(sy, W_ALL);
}
