/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The last shift handover, shown once when the console starts: on the
 * message line and in the event log (issue 15, docs/console.md). */
#include <stdio.h>
#include <stdlib.h>

#include "cityops/core/format.h"
#include "tui-internal.h"

static void
got_last(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct tui *t = arg;
	char at[32], acc[32];
	const char *note;

	if (err != NULL || tb == NULL || tb->nrows == 0) {
		db_table_free(&tb);
		return;
	}
	format_time(db_get(tb, 0, "at") ?: "", at, sizeof at);
	note = db_get(tb, 0, "note");
	if (db_get(tb, 0, "accepted_at") != NULL) {
		format_time(db_get(tb, 0, "accepted_at"), acc, sizeof acc);
		tui_event(t, DESK_SEV_NORMAL,
		          "上次交接班 %s %s → %s, 已接班 %s%s%s", at,
		          db_get(tb, 0, "from_name") ?: "",
		          db_get(tb, 0, "to_name") ?: "", acc,
		          note ? " · " : "", note ? note : "");
	} else {
		tui_event(t, DESK_SEV_WARN, "上次交接班 %s %s → %s, 待接班%s%s",
		          at, db_get(tb, 0, "from_name") ?: "",
		          db_get(tb, 0, "to_name") ?: "", note ? " · " : "",
		          note ? note : "");
	}
	tui_message(t, SLOT_DIM, "上次交接班 %s %s → %s%s", at,
	            db_get(tb, 0, "from_login") ?: "",
	            db_get(tb, 0, "to_login") ?: "",
	            db_get(tb, 0, "accepted_at") ? " (已接班)" : " (待接班)");
	db_table_free(&tb);
}

void
tui_show_last_handover(struct tui *t)
{
	db_async_submit(t->db, Q_HANDOVER_LAST, 0, NULL, got_last, t);
}
