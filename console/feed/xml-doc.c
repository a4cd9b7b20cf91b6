/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* A whole XML document under the layer's guards (xml-doc.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xml-doc.h"

void
xml_doc_stop(struct xml_doc *x, const char *why)
{
	if (!x->stopped)
		x->why = why;
	x->stopped = 1;
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct xml_doc *x = arg;

	if (x->text.len + (size_t)len > x->text_max)
		xml_doc_stop(x, "an element's text is too long");
	else
		buf_add(&x->text, s, (size_t)len);
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
           const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	xml_doc_stop(arg, "a DOCTYPE (refused)");
}

static void XMLCALL
on_entity(void *arg, const XML_Char *name, int is_param, const XML_Char *value,
          int value_len, const XML_Char *base, const XML_Char *sysid,
          const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len;
	(void)base, (void)sysid, (void)pubid, (void)notation;
	xml_doc_stop(arg, "an entity declaration (refused)");
}

int
xml_doc_parse(struct xml_doc *x, const char *buf, size_t len, char ns_sep,
              XML_StartElementHandler start, XML_EndElementHandler end)
{
	int ok;

	if (len > (size_t)INT32_MAX) {
		x->why = "too large";
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		x->why = "a NUL byte";
		return -1;
	}
	x->p =
	    ns_sep ? XML_ParserCreateNS(NULL, ns_sep) : XML_ParserCreate(NULL);
	if (x->p == NULL)
		abort();
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, start, end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity);
	ok = XML_Parse(x->p, buf, (int)len, XML_TRUE) != XML_STATUS_ERROR;
	if (!ok && !x->stopped)
		x->why = XML_ErrorString(XML_GetErrorCode(x->p));
	XML_ParserFree(x->p);
	x->p = NULL;
	buf_free(&x->text);
	return x->why != NULL ? -1 : 0;
}

void
xml_doc_trimmed(struct buf *to, const struct buf *from)
{
	const char *s = from->data ? from->data : "";
	size_t n = from->len;

	while (n > 0 && strchr(" \t\r\n", *s) != NULL)
		s++, n--;
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	buf_reset(to);
	buf_add(to, s, n);
}
