/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* Rendering of results for people and for machines, from synthetic tables. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/cmd/result.h"

/* A table built by hand, as db.c would build it from a PGresult. */
static struct db_table *
table(int nrows, int ncols, const char *const *names, const enum db_kind *kinds,
      const char *const *cells)
{
	struct db_table *t = xcalloc(1, sizeof *t);

	t->nrows = nrows;
	t->ncols = ncols;
	t->names = xcalloc((size_t)ncols, sizeof *t->names);
	t->kinds = xcalloc((size_t)ncols, sizeof *t->kinds);
	t->cells = xcalloc((size_t)(nrows * ncols) + 1, sizeof *t->cells);
	for (int c = 0; c < ncols; c++) {
		t->names[c] = xstrdup(names[c]);
		t->kinds[c] = kinds[c];
	}
	for (int i = 0; i < nrows * ncols; i++)
		t->cells[i] = cells[i] ? xstrdup(cells[i]) : NULL;
	return t;
}

static const char *const names[] = {"priority", "ref",        "region_name",
                                    "state",    "sla_left_s", "title",
                                    "exercise"};
static const enum db_kind kinds[] = {DB_NUMBER, DB_TEXT, DB_TEXT, DB_TEXT,
                                     DB_NUMBER, DB_TEXT, DB_BOOL};
static const struct col_spec cols[] = {
    {"priority", "级", F_PRIORITY, 0},  {"ref", "编号", F_TEXT, 0},
    {"region_name", "区域", F_TEXT, 6}, {"state", "状态", F_STATE, 0},
    {"sla_left_s", "时限", F_SLA, 0},   {"title", "标题", F_TEXT, 0},
    {"exercise", "", F_EXERCISE, 0},    {NULL, NULL, 0, 0},
};

static struct db_table *
sample(void)
{
	static const char *const cells[] = {
	    "1",           "261121-0001",
	    "南桥镇",      "dispatched",
	    "-720",        "积水\x1b]0;pwn\x07",
	    "f",           "3",
	    "261121-0002", "南京东路街道",
	    "new",         "600",
	    "噪声",        "t",
	};
	return table(2, 7, names, kinds, cells);
}

static void
text_aligns_and_sanitises(void)
{
	struct result r = {0};
	struct buf b = {0};

	result_table(&r, "incidents", NULL, sample(), cols);
	result_render_text(&r, &b);
	CHECK_STR(
	    b.data,
	    "级  编号         区域    状态    时限      标题\n"
	    "P1  261121-0001  南桥镇  已派单  超时 12m  积水]0;pwn\n"
	    "P3  261121-0002  南京…   新发现  10m       噪声        演练\n");
	buf_free(&b);
	result_clear(&r);
}

static void
json_keeps_types(void)
{
	struct result r = {0};
	struct buf b = {0};

	result_record(&r, "incident", NULL, sample(), cols);
	result_render_json(&r, "show", &b);
	CHECK_STR(
	    b.data,
	    "{\"command\":\"show\",\"ok\":true,\"incident\":{\"priority\":1,"
	    "\"ref\":\"261121-0001\",\"region_name\":\"南桥镇\",\"state\":"
	    "\"dispatched\",\"sla_left_s\":-720,\"title\":"
	    "\"积水\\u001b]0;pwn\\u0007\",\"exercise\":false}}\n");
	buf_free(&b);
	result_clear(&r);
}

static void
record_skips_empty_fields(void)
{
	static const char *const cells[] = {
	    "2", "261121-0009", NULL, "closed", "0", "", "f"};
	struct result r = {0};
	struct buf b = {0};

	result_record(&r, "incident", NULL, table(1, 7, names, kinds, cells),
	              cols);
	result_message(&r, "done");
	result_render_text(&r, &b);
	CHECK_STR(b.data, "级    P2\n编号  261121-0009\n状态  已结案\n"
	                  "时限  0s\ndone\n");
	buf_free(&b);
	result_clear(&r);
}

static void
error_rendering(void)
{
	struct result r = {0};
	struct buf b = {0};
	struct db_error e = {.sqlstate = "CO004",
	                     .message = "incident 261121-0001 is closed; "
	                                "cannot dispatch",
	                     .hint = "allowed: reopen, note"};

	result_fail_db(&r, &e);
	CHECK_STR(r.code, "illegal_transition");
	result_render_error(&r, &b);
	CHECK_STR(b.data, "error: incident 261121-0001 is closed; cannot "
	                  "dispatch\nhint: allowed: reopen, note\n");
	buf_free(&b);
	result_clear(&r);
}

static void
messages_keep_line_breaks(void)
{
	struct result r = {0};
	struct buf b = {0};

	result_message(&r, "one\ntwo \x1b[31mred\n");
	result_render_text(&r, &b);
	CHECK_STR(b.data, "one\ntwo [31mred\n\n");
	buf_free(&b);
	result_clear(&r);
}

/* Codes become the centre's words; anything else stays itself, cleaned. */
static void
labels_for_codes(void)
{
	char out[128], longname[200];

	result_cell_text("dispatch, unfounded, note", F_ACTION, out,
	                 sizeof out);
	CHECK_STR(out, "派单 不实 备注");
	result_cell_text("raise", F_ACTION, out, sizeof out);
	CHECK_STR(out, "发现");
	result_cell_text("", F_ACTION, out, sizeof out);
	CHECK_STR(out, "");
	result_cell_text(" ,, ack ,", F_ACTION, out, sizeof out);
	CHECK_STR(out, "受理");
	/* An unknown name is kept; control bytes never reach the screen. */
	result_cell_text("ack, x\x1b[2Jy", F_ACTION, out, sizeof out);
	CHECK_STR(out, "受理 x[2Jy");
	/* A name longer than any code is cut, not dropped or overrun. */
	memset(longname, 'z', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	result_cell_text(longname, F_ACTION, out, sizeof out);
	CHECK_INT((int)strlen(out), 31);
	/* The list stops at the buffer's end, whole labels only. */
	result_cell_text("dispatch, dispatch, dispatch", F_ACTION, out, 14);
	CHECK_STR(out, "派单 派单");
	result_cell_text("sensor", F_SOURCE, out, sizeof out);
	CHECK_STR(out, "物联感知");
	result_cell_text("12345", F_SOURCE, out, sizeof out);
	CHECK_STR(out, "12345");
	result_cell_text("patrol", F_NOTE, out, sizeof out);
	CHECK_STR(out, "巡查");
	result_cell_text("积水\x1b]0;x\x07持续", F_NOTE, out, sizeof out);
	CHECK_STR(out, "积水]0;x持续");
	result_cell_text("grid", F_LEVEL, out, sizeof out);
	CHECK_STR(out, "网格");
	result_cell_text("description", F_MATCH, out, sizeof out);
	CHECK_STR(out, "描述");
}

static const struct check_case cases[] = {
    TEST(labels_for_codes),
    TEST(messages_keep_line_breaks),
    TEST(text_aligns_and_sanitises),
    TEST(json_keeps_types),
    TEST(record_skips_empty_fields),
    TEST(error_rendering),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
