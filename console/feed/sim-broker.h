/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * feed-sim --http --broker FILE: the subscription part of an NGSI-LD
 * context broker's API (ETSI GS CIM 009 §5.8), enough for a test to watch
 * what ingest --ngsi-broker does: POST /ngsi-ld/v1/subscriptions (201 with
 * Location, 409 when the id is taken, 400 for a body that is not a
 * subscription), GET of the list and of one, PATCH (204, 404) and DELETE
 * (204, 404) of one. Each request is appended to FILE as
 * "METHOD<TAB>ID<TAB>STATUS<TAB>ENDPOINT<TAB>TYPES<TAB>DESCRIPTION<TAB>
 * TENANT" (the NGSILD-Tenant header, "" when none).
 * Only feed-sim uses it.
 */
#ifndef CITYOPS_SIM_BROKER_H
#define CITYOPS_SIM_BROKER_H

#include <stddef.h>
#include <stdio.h>

#include "cityops/core/util.h"

struct sim_broker;

struct sim_broker *sim_broker_new(FILE *record);
void sim_broker_free(struct sim_broker **bp);
/* 1 when path is the broker's. */
int sim_broker_path(const char *path);
/* Answers one request: the status, the body into out (JSON or empty);
 * on 201 the new subscription's id into created. */
/* The NGSILD-Tenant of the next request, for the record; NULL: none. */
void sim_broker_tenant(struct sim_broker *b, const char *tenant);
int sim_broker_request(struct sim_broker *b, const char *method,
                       const char *path, const char *body, size_t len,
                       struct buf *out, char *created, size_t createdsz);

#endif
