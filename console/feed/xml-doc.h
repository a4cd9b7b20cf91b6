/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A whole XML document read by expat under the guards every reader of
 * this layer keeps (feed-index.c, open311-services-xml.c; feed-xml.c,
 * the streaming decoder, keeps the same ones itself): no NUL byte, no
 * DOCTYPE and so no entity declaration, an element's text capped.
 * A reader's state begins with a struct xml_doc, and its element
 * handlers take that state as their arg.
 */
#ifndef CITYOPS_FEED_XML_DOC_H
#define CITYOPS_FEED_XML_DOC_H

#include <expat.h>
#include <stddef.h>

#include "cityops/core/util.h"

struct xml_doc {
	XML_Parser p;
	struct buf text; /* the open element's text so far */
	size_t text_max;
	int stopped;
	const char *why; /* the first reason the parse stopped */
};

/* Stops the parse; the first reason given is kept (NULL: no fault). */
void xml_doc_stop(struct xml_doc *x, const char *why);

/* Parses buf[0..len) at once, with start and end handlers whose arg is x;
 * ns_sep: expat's namespace separator, or 0 for a parser without
 * namespaces. Returns 0 when the document was read to its end or stopped
 * without a reason, else -1 with x->why set. The parser and x->text are
 * freed on return. */
int xml_doc_parse(struct xml_doc *x, const char *buf, size_t len, char ns_sep,
                  XML_StartElementHandler start, XML_EndElementHandler end);

/* to = from without the blanks (space, tab, CR, LF) around it; to->data
 * stays NULL for an empty text. */
void xml_doc_trimmed(struct buf *to, const struct buf *from);

#endif
