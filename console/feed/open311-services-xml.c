/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * An Open311 service list in XML (open311-services.h), GeoReport v2's
 * mandatory format: <services> holding <service> elements whose
 * <service_code> and <service_name> children are kept; every other
 * element (description, metadata, type, keywords, group) is ignored.
 * Under the guards of the other expat parsers (feed-xml.c, feed-index.c):
 * any DOCTYPE or entity declaration stops the parse, as do nesting past
 * MAXDEPTH, an element's text past TEXT_MAX and a NUL byte.
 */
#include <expat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/feed/open311-services.h"

#define MAXDEPTH 16
#define TEXT_MAX 65536

struct sx {
	XML_Parser p;
	int depth, root_ok, stopped;
	const char *why;
	struct buf text, code, name;
	int have_code, have_name;
	struct o311_services *out;
	int skipped;
};

static void
stop(struct sx *x, const char *why)
{
	if (!x->stopped)
		x->why = why;
	x->stopped = 1;
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct sx *x = arg;

	(void)attrs;
	if (++x->depth > MAXDEPTH) {
		stop(x, "nested too deep");
		return;
	}
	if (x->depth == 1) {
		if (strcmp(name, "services") != 0)
			stop(x, "not a <services> list");
		x->root_ok = 1;
	} else if (x->depth == 2 && strcmp(name, "service") == 0) {
		x->have_code = x->have_name = 0;
	}
	buf_reset(&x->text);
}

/* The text without the blanks around it. */
static void
trimmed(struct buf *to, const struct buf *from)
{
	const char *s = from->data ? from->data : "";
	size_t n = from->len;

	while (n > 0 && strchr(" \t\r\n", *s) != NULL)
		s++, n--;
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	buf_reset(to);
	buf_add(to, s, n);
	buf_adds(to, "");
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct sx *x = arg;

	if (x->depth == 3 && strcmp(name, "service_code") == 0) {
		trimmed(&x->code, &x->text);
		x->have_code = 1;
	} else if (x->depth == 3 && strcmp(name, "service_name") == 0) {
		trimmed(&x->name, &x->text);
		x->have_name = 1;
	} else if (x->depth == 2 && strcmp(name, "service") == 0) {
		if (!x->have_code || !x->have_name ||
		    !o311_services_add(x->out, x->code.data, x->name.data))
			x->skipped++;
	}
	buf_reset(&x->text);
	x->depth--;
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct sx *x = arg;

	if (x->text.len + (size_t)len > TEXT_MAX)
		stop(x, "an element's text is too long");
	else
		buf_add(&x->text, s, (size_t)len);
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
           const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	stop(arg, "a DOCTYPE (refused)");
}

static void XMLCALL
on_entity(void *arg, const XML_Char *name, int is_param, const XML_Char *value,
          int value_len, const XML_Char *base, const XML_Char *sysid,
          const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)sysid, (void)pubid, (void)notation;
	stop(arg, "an entity declaration (refused)");
}

int
o311_services_parse_xml(const char *body, size_t len, struct o311_services *out,
                        const char **why)
{
	struct sx x;
	int ok;

	o311_services_free(out);
	if (len > (size_t)INT32_MAX || memchr(body, '\0', len) != NULL) {
		*why = len > (size_t)INT32_MAX ? "too large" : "a NUL byte";
		return -1;
	}
	memset(&x, 0, sizeof x);
	x.out = out;
	x.p = XML_ParserCreate(NULL);
	if (x.p == NULL)
		abort();
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, on_start, on_end);
	XML_SetCharacterDataHandler(x.p, on_text);
	XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
	XML_SetEntityDeclHandler(x.p, on_entity);
	ok = XML_Parse(x.p, body, (int)len, XML_TRUE) != XML_STATUS_ERROR;
	if (!ok && !x.stopped)
		x.why = XML_ErrorString(XML_GetErrorCode(x.p));
	XML_ParserFree(x.p);
	buf_free(&x.text);
	buf_free(&x.code);
	buf_free(&x.name);
	if (x.why != NULL || !x.root_ok) {
		o311_services_free(out);
		*why = x.why ? x.why : "empty document";
		return -1;
	}
	return x.skipped;
}
