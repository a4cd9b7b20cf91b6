/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The domain's enumerations as the console shows them: code (as stored in
 * the database), Chinese label, and a one-line meaning for help. Declared
 * once here so that display, help and completion never drift apart.
 */
#ifndef CITYOPS_NAMES_H
#define CITYOPS_NAMES_H

#define INCIDENT_STATES(X)                                                     \
	X(new, "新发现", "discovered, not yet acknowledged")                   \
	X(acknowledged, "已确认", "acknowledged by the duty desk")             \
	X(dispatched, "已派单", "work order sent to units (派单)")             \
	X(accepted, "已签收", "units accepted the order (签收)")               \
	X(returned, "已退单", "order returned with a reason (退单)")           \
	X(on_scene, "处置中", "units on scene, handling (处置)")               \
	X(resolved, "已办结", "handled, awaiting verification (办结)")         \
	X(verified, "已核查", "verified, awaiting closure (核查)")             \
	X(closed, "已结案", "closed (结案)")                                   \
	X(reopened, "已重启", "reopened after resolution")                     \
	X(unfounded, "不属实", "found to be unfounded")                        \
	X(cancelled, "已撤销", "cancelled")

#define UNIT_STATUSES(X)                                                       \
	X(available, "待命", "available for dispatch")                         \
	X(dispatched, "已派", "dispatched, not yet moving")                    \
	X(en_route, "途中", "on the way")                                      \
	X(on_scene, "到场", "on scene")                                        \
	X(returning, "返回", "returning to base")                              \
	X(out_of_service, "停用", "out of service")

#define VITAL_STATES(X)                                                        \
	X(alarm, "告警", "beyond the alarm threshold")                         \
	X(warn, "预警", "beyond the warning threshold")                        \
	X(stale, "失联", "no reading within the staleness limit")              \
	X(nodata, "无数据", "never reported")                                  \
	X(normal, "正常", "within thresholds")

#define ROLES(X)                                                               \
	X(viewer, "观察员", "sees everything in scope, changes nothing")       \
	X(officer, "值班员", "acknowledges, raises and records handling")      \
	X(supervisor, "值班长", "dispatches, verifies, closes, switches mode") \
	X(admin, "管理员", "everything")

enum role {
#define X(code, label, help) ROLE_##code,
	ROLES(X)
#undef X
	    ROLE_COUNT
};

/* Chinese label of a state/status code, or the code itself if unknown. */
const char *names_incident_state(const char *code);
const char *names_unit_status(const char *code);
const char *names_vital_state(const char *code);
const char *names_role_label(enum role r);
const char *names_role_code(enum role r);
/* The role named by code, or -1. */
int names_role_parse(const char *code);

#endif
