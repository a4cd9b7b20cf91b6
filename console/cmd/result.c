/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/format.h"
#include "cityops/core/names.h"
#include "cityops/cmd/result.h"
#include "cityops/core/text.h"

/* Widest a cell may be shown in a record or table, in bytes. */
#define CELL_MAX 4096

static struct block *
add_block(struct result *r, enum block_kind kind)
{
	struct block *b;

	r->blocks = xrealloc(r->blocks, (size_t)(r->nblocks + 1) * sizeof *b);
	b = &r->blocks[r->nblocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	return b;
}

void
result_message(struct result *r, const char *fmt, ...)
{
	struct block *b = add_block(r, B_MESSAGE);
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&b->text, fmt, ap) < 0)
		b->text = xstrdup("");
	va_end(ap);
	b->key = xstrdup("message");
}

void
result_table(struct result *r, const char *key, const char *title,
             struct db_table *t, const struct col_spec *cols)
{
	struct block *b = add_block(r, B_TABLE);

	b->key = xstrdup(key);
	b->title = title ? xstrdup(title) : NULL;
	b->table = t;
	b->cols = cols;
}

void
result_record(struct result *r, const char *key, const char *title,
              struct db_table *t, const struct col_spec *cols)
{
	result_table(r, key, title, t, cols);
	r->blocks[r->nblocks - 1].kind = B_RECORD;
}

void
result_fail(struct result *r, const char *code, const char *hint,
            const char *fmt, ...)
{
	va_list ap;

	r->failed = 1;
	free(r->code);
	free(r->error);
	free(r->hint);
	r->code = xstrdup(code);
	r->hint = hint ? xstrdup(hint) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&r->error, fmt, ap) < 0)
		r->error = xstrdup(code);
	va_end(ap);
}

static const struct {
	const char *sqlstate, *code;
} error_classes[] = {
    {"CO001", "not_found"},        {"CO002", "forbidden"},
    {"CO003", "out_of_scope"},     {"CO004", "illegal_transition"},
    {"CO005", "unit_busy"},        {"CO006", "invalid_argument"},
    {"CO007", "not_operator"},     {"42501", "forbidden"},
    {"22P02", "invalid_argument"}, {"22023", "invalid_argument"},
    {"22003", "invalid_argument"},
};

void
result_fail_db(struct result *r, const struct db_error *err)
{
	const char *code = err->unknown       ? "outcome_unknown"
	                   : err->sqlstate[0] ? "db_error"
	                                      : "db_unreachable";

	for (size_t i = 0; i < sizeof error_classes / sizeof error_classes[0];
	     i++)
		if (strcmp(error_classes[i].sqlstate, err->sqlstate) == 0)
			code = error_classes[i].code;
	result_fail(r, code, err->hint, "%s",
	            err->message ? err->message : "database error");
}

void
result_clear(struct result *r)
{
	for (int i = 0; i < r->nblocks; i++) {
		free(r->blocks[i].key);
		free(r->blocks[i].title);
		free(r->blocks[i].text);
		db_table_free(&r->blocks[i].table);
	}
	free(r->blocks);
	free(r->code);
	free(r->error);
	free(r->hint);
	memset(r, 0, sizeof *r);
}

/* "dispatch, unfounded, note" → "派单 不实 备注": each name as the centre
 * says it (a name it does not know stays as it is, sanitized). */
static void
action_list(const char *v, char *out, size_t outsz)
{
	char name[32], safe[64];
	size_t used = 0;

	out[0] = '\0';
	while (*v != '\0') {
		size_t n = strcspn(v, ", ");
		if (n > 0) {
			size_t k = n < sizeof name ? n : sizeof name - 1;
			memcpy(name, v, k);
			name[k] = '\0';
			text_sanitize(names_action(name),
			              strlen(names_action(name)), safe,
			              sizeof safe);
			int w = snprintf(out + used, outsz - used, "%s%s",
			                 used > 0 ? " " : "", safe);
			if (w < 0 || (size_t)w >= outsz - used)
				return;
			used += (size_t)w;
		}
		v += n;
		v += strspn(v, ", ");
	}
}

const char *
result_cell_text(const char *v, enum col_fmt fmt, char *out, size_t outsz)
{
	char tmp[64];

	if (v == NULL) {
		snprintf(out, outsz, "%s", fmt == F_EXERCISE ? "" : "-");
		return out;
	}
	switch (fmt) {
	case F_PRIORITY:
		snprintf(out, outsz, "P%s", v);
		break;
	case F_STATE:
		snprintf(out, outsz, "%s", names_incident_state(v));
		break;
	case F_UNIT:
		snprintf(out, outsz, "%s", names_unit_status(v));
		break;
	case F_VITAL:
		snprintf(out, outsz, "%s", names_vital_state(v));
		break;
	case F_DURATION:
		format_duration(atoll(v), tmp, sizeof tmp);
		snprintf(out, outsz, "%s", tmp);
		break;
	case F_SLA:
		format_sla(atoll(v), tmp, sizeof tmp);
		snprintf(out, outsz, "%s", tmp);
		break;
	case F_TIME:
		format_time(v, out, outsz);
		break;
	case F_EXERCISE:
		snprintf(out, outsz, "%s", strcmp(v, "t") == 0 ? "演练" : "");
		break;
	case F_YES:
		snprintf(out, outsz, "%s", strcmp(v, "t") == 0 ? "是" : "否");
		break;
	case F_MODE:
		snprintf(out, outsz, "%s",
		         strcmp(v, "peace") == 0       ? "平时"
		         : strcmp(v, "emergency") == 0 ? "应急"
		                                       : v);
		break;
	case F_ACTION:
		action_list(v, out, outsz);
		break;
	case F_SOURCE:
	case F_NOTE:
		text_sanitize(names_source(v), strlen(names_source(v)), out,
		              outsz);
		break;
	case F_LEVEL:
		text_sanitize(names_region_level(v),
		              strlen(names_region_level(v)), out, outsz);
		break;
	case F_MATCH:
		text_sanitize(names_match_field(v),
		              strlen(names_match_field(v)), out, outsz);
		break;
	case F_ROLE: {
		int r = names_role_parse(v);
		snprintf(out, outsz, "%s",
		         r >= 0 ? names_role_label((enum role)r) : v);
		break;
	}
	default:
		text_sanitize(v, strlen(v), out, outsz);
		break;
	}
	return out;
}

static void
render_record(const struct block *b, struct buf *out)
{
	const struct db_table *t = b->table;
	char cell[CELL_MAX], pad[256];
	int w = 0;

	if (t == NULL || t->nrows == 0)
		return;
	for (const struct col_spec *c = b->cols; c->name != NULL; c++)
		if (text_width(c->label) > w)
			w = text_width(c->label);
	for (const struct col_spec *c = b->cols; c->name != NULL; c++) {
		const char *v = db_get(t, 0, c->name);
		/* A field with nothing to say (no value, or a flag that is
		 * off) is left out rather than shown empty. */
		if (v == NULL || *v == '\0' ||
		    *result_cell_text(v, c->fmt, cell, sizeof cell) == '\0')
			continue;
		format_pad(c->label, w, 0, pad, sizeof pad);
		buf_printf(out, "%s  %s\n", pad, cell);
	}
}

static void
render_table(const struct block *b, struct buf *out)
{
	const struct db_table *t = b->table;
	int ncols = 0, *width;
	char cell[CELL_MAX], pad[CELL_MAX];

	for (const struct col_spec *c = b->cols; c->name != NULL; c++)
		ncols++;
	width = xcalloc((size_t)ncols, sizeof *width);
	for (int i = 0; i < ncols; i++)
		width[i] = text_width(b->cols[i].label);
	for (int r = 0; r < t->nrows; r++)
		for (int i = 0; i < ncols; i++) {
			const struct col_spec *c = &b->cols[i];
			int cw = text_width(result_cell_text(
			    db_get(t, r, c->name), c->fmt, cell, sizeof cell));
			if (c->max > 0 && cw > c->max)
				cw = c->max;
			if (cw > width[i])
				width[i] = cw;
		}
	for (int r = -1; r < t->nrows; r++) {
		struct buf line = {0};
		for (int i = 0; i < ncols; i++) {
			const struct col_spec *c = &b->cols[i];
			const char *s =
			    r < 0 ? c->label
			          : result_cell_text(db_get(t, r, c->name),
			                             c->fmt, cell, sizeof cell);
			int right = r >= 0 && c->fmt == F_NUMBER;
			format_pad(s, width[i], right, pad, sizeof pad);
			if (i > 0)
				buf_adds(&line, "  ");
			buf_adds(&line, pad);
		}
		/* Trailing blanks are noise in logs and diffs. */
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		buf_printf(out, "%s\n", line.data ? line.data : "");
		buf_free(&line);
	}
	free(width);
}

/* Adds text line by line, each sanitised, keeping its line breaks. */
static void
add_lines(struct buf *out, const char *text)
{
	char clean[CELL_MAX];

	for (;;) {
		size_t n = strcspn(text, "\n");
		text_sanitize(text, n, clean, sizeof clean);
		buf_printf(out, "%s\n", clean);
		if (text[n] == '\0')
			break;
		text += n + 1;
	}
}

void
result_render_text(const struct result *r, struct buf *out)
{
	for (int i = 0; i < r->nblocks; i++) {
		const struct block *b = &r->blocks[i];
		char clean[CELL_MAX];

		if (b->title != NULL) {
			text_sanitize(b->title, strlen(b->title), clean,
			              sizeof clean);
			buf_printf(out, "%s%s\n", i > 0 ? "\n" : "", clean);
		}
		switch (b->kind) {
		case B_MESSAGE:
			add_lines(out, b->text);
			break;
		case B_RECORD:
			render_record(b, out);
			break;
		case B_TABLE:
			if (b->table->nrows == 0)
				buf_adds(out, "(无)\n");
			else
				render_table(b, out);
			break;
		}
	}
}

void
result_render_error(const struct result *r, struct buf *out)
{
	char clean[CELL_MAX];

	if (!r->failed)
		return;
	text_sanitize(r->error, strlen(r->error), clean, sizeof clean);
	buf_printf(out, "error: %s\n", clean);
	if (r->hint != NULL) {
		text_sanitize(r->hint, strlen(r->hint), clean, sizeof clean);
		buf_printf(out, "hint: %s\n", clean);
	}
}

static void
json_value(struct buf *out, const char *v, enum db_kind kind)
{
	if (v == NULL)
		buf_adds(out, "null");
	else if (kind == DB_BOOL)
		buf_adds(out, strcmp(v, "t") == 0 ? "true" : "false");
	else if (kind == DB_NUMBER && strspn(v, "-+.0123456789eE") == strlen(v))
		buf_adds(out, v);
	else if (kind == DB_TIME) {
		char iso[64];
		format_iso8601(v, iso, sizeof iso);
		buf_add_json_string(out, iso);
	} else
		buf_add_json_string(out, v);
}

static void
json_row(struct buf *out, const struct db_table *t, int row)
{
	buf_add(out, "{", 1);
	for (int c = 0; c < t->ncols; c++) {
		if (c > 0)
			buf_add(out, ",", 1);
		buf_add_json_string(out, t->names[c]);
		buf_add(out, ":", 1);
		json_value(out, t->cells[row * t->ncols + c], t->kinds[c]);
	}
	buf_add(out, "}", 1);
}

void
result_render_json(const struct result *r, const char *command, struct buf *out)
{
	buf_adds(out, "{\"command\":");
	buf_add_json_string(out, command ? command : "");
	buf_printf(out, ",\"ok\":%s", r->failed ? "false" : "true");
	for (int i = 0; i < r->nblocks; i++) {
		const struct block *b = &r->blocks[i];
		buf_add(out, ",", 1);
		buf_add_json_string(out, b->key);
		buf_add(out, ":", 1);
		if (b->kind == B_MESSAGE) {
			buf_add_json_string(out, b->text);
		} else if (b->kind == B_RECORD) {
			if (b->table->nrows > 0)
				json_row(out, b->table, 0);
			else
				buf_adds(out, "null");
		} else {
			buf_add(out, "[", 1);
			for (int row = 0; row < b->table->nrows; row++) {
				if (row > 0)
					buf_add(out, ",", 1);
				json_row(out, b->table, row);
			}
			buf_add(out, "]", 1);
		}
	}
	if (r->failed) {
		buf_adds(out, ",\"error\":{\"code\":");
		buf_add_json_string(out, r->code);
		buf_adds(out, ",\"message\":");
		buf_add_json_string(out, r->error);
		if (r->hint != NULL) {
			buf_adds(out, ",\"hint\":");
			buf_add_json_string(out, r->hint);
		}
		buf_add(out, "}", 1);
	}
	buf_adds(out, "}\n");
}
