/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Units of readings (issue 10): UN/CEFACT common codes (Recommendation
 * 20), conversion between units of one dimension, and the units the
 * FIWARE Smart Data Models document for attributes sent without a
 * unitCode. The database's cityops.unit_of_measure lists the codes an
 * indicator may have (migration 020); the factors live here because ingest
 * and the console convert before anything is stored. Libc only.
 */
#ifndef CITYOPS_FEED_UNIT_H
#define CITYOPS_FEED_UNIT_H

/* Why a conversion was not made. */
enum feed_unit_rc {
	FEED_UNIT_OK,
	FEED_UNIT_MISMATCH, /* both known, different dimensions */
	FEED_UNIT_UNKNOWN,  /* a code this table does not know */
};

/*
 * Converts v from unit code `from` to unit code `to` into *out. Codes are
 * compared without regard to case; equal codes pass v through unchanged,
 * even codes this table does not know.
 */
enum feed_unit_rc feed_unit_convert(const char *from, const char *to, double v,
                                    double *out);

/* The display symbol of a code ("KMH" → "km/h"), or NULL when unknown. */
const char *feed_unit_symbol(const char *code);
/*
 * The UN/CEFACT code of a unit written as a code ("KMH") or as a display
 * symbol ("km/h", "℃", "μg/m³": the symbols of cityops.uom_symbol), or
 * NULL when it is neither.
 */
const char *feed_unit_code(const char *code_or_symbol);

/*
 * The unit a Smart Data Model documents for attr of entity type `model`
 * when the source sends no unitCode, or NULL. *source gets the model's
 * name as cited in docs/ingest.md (may be NULL).
 */
const char *feed_unit_default(const char *model, const char *attr,
                              const char **source);

#endif
