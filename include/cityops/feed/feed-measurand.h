/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The FIWARE Device model's packed `value` (Smart Data Models,
 * dataModel.Device, Device/examples): several measurands in one
 * URL-encoded string, "l%3D0.22%3Bt%3D21.2" = "l=0.22;t=21.2", one
 * key=number pair per property the device lists in `controlledProperty`.
 * Pure and libc only: ingest and the console decode alike.
 */
#ifndef CITYOPS_FEED_MEASURAND_H
#define CITYOPS_FEED_MEASURAND_H

#include <stddef.h>

enum { FEED_MEASURAND_MAX = 16, FEED_MEASURAND_KEY = 32 };

struct feed_measurand {
	char key[FEED_MEASURAND_KEY];
	double value;
};

/*
 * Parses s (URL-encoded or already decoded) into out[0..max). Returns the
 * number of pairs; 0 when s is no measurand string at all (no '=' once
 * decoded, e.g. a switch's "on"); -1 when it is one but malformed, with
 * *why naming the fault (bad escape, empty or bad key, bad number,
 * duplicate key, too many pairs). Nothing is half-parsed: on -1 the
 * caller stores none of it.
 */
int feed_measurand_parse(const char *s, struct feed_measurand *out, int max,
                         const char **why);

/*
 * The controlled property a key names: the property spelled exactly as
 * the key; otherwise, when the pairs and the properties are as many and no
 * key names a property exactly, the property at the pair's position, if
 * the key's letters appear in that order in its name, case aside ("l" in
 * fillingLevel, "t" in temperature). NULL when neither holds: the caller
 * names the reading "value.KEY" and says so.
 */
const char *feed_measurand_property(const struct feed_measurand *pairs,
                                    int npairs, int index,
                                    const char *const *props, int nprops);

#endif
