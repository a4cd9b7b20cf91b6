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
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/feed/open311-services.h"
#include "xml-doc.h"

#define MAXDEPTH 16
#define TEXT_MAX 65536

struct sx {
	struct xml_doc doc; /* first: the handlers' arg */
	int depth, root_ok;
	struct buf code, name;
	int have_code, have_name;
	struct o311_services *out;
	int skipped;
};

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct sx *x = arg;

	(void)attrs;
	if (++x->depth > MAXDEPTH) {
		xml_doc_stop(&x->doc, "nested too deep");
		return;
	}
	if (x->depth == 1) {
		if (strcmp(name, "services") != 0)
			xml_doc_stop(&x->doc, "not a <services> list");
		x->root_ok = 1;
	} else if (x->depth == 2 && strcmp(name, "service") == 0) {
		x->have_code = x->have_name = 0;
	}
	buf_reset(&x->doc.text);
}

/* The text without the blanks around it, never NULL. */
static void
trimmed(struct buf *to, const struct buf *from)
{
	xml_doc_trimmed(to, from);
	buf_adds(to, "");
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct sx *x = arg;

	if (x->depth == 3 && strcmp(name, "service_code") == 0) {
		trimmed(&x->code, &x->doc.text);
		x->have_code = 1;
	} else if (x->depth == 3 && strcmp(name, "service_name") == 0) {
		trimmed(&x->name, &x->doc.text);
		x->have_name = 1;
	} else if (x->depth == 2 && strcmp(name, "service") == 0) {
		if (!x->have_code || !x->have_name ||
		    !o311_services_add(x->out, x->code.data, x->name.data))
			x->skipped++;
	}
	buf_reset(&x->doc.text);
	x->depth--;
}

int
o311_services_parse_xml(const char *body, size_t len, struct o311_services *out,
                        const char **why)
{
	struct sx x;
	int rc;

	o311_services_free(out);
	memset(&x, 0, sizeof x);
	x.doc.text_max = TEXT_MAX;
	x.out = out;
	rc = xml_doc_parse(&x.doc, body, len, 0, on_start, on_end);
	buf_free(&x.code);
	buf_free(&x.name);
	if (rc != 0 || !x.root_ok) {
		o311_services_free(out);
		*why = x.doc.why ? x.doc.why : "empty document";
		return -1;
	}
	return x.skipped;
}
