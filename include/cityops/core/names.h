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

/* What a timeline row records, and the next steps an incident allows: the
 * names of sql's action table (label_zh there) plus raise and merge. */
#define ACTIONS(X)                                                             \
	X(raise, "发现")                                                       \
	X(ack, "受理")                                                         \
	X(dispatch, "派单")                                                    \
	X(accept, "签收")                                                      \
	X(return, "退单")                                                      \
	X(arrive, "到场")                                                      \
	X(resolve, "办结")                                                     \
	X(verify, "核查")                                                      \
	X(close, "结案")                                                       \
	X(reopen, "重新办理")                                                  \
	X(unfounded, "不实")                                                   \
	X(cancel, "撤销")                                                      \
	X(escalate, "升级")                                                    \
	X(note, "备注")                                                        \
	X(merge, "合并")

/* An alarm's state (alarm.state). */
#define ALARM_STATES(X)                                                        \
	X(raised, "发生")                                                      \
	X(acknowledged, "已确认")                                              \
	X(cleared, "已解除")

/* Where an incident came from (incident.source). */
#define SOURCES(X)                                                             \
	X(sensor, "物联感知")                                                  \
	X(patrol, "巡查")                                                      \
	X(opinion, "舆情")                                                     \
	X(officer, "值班员")

/* Region levels (region.level). */
#define REGION_LEVELS(X)                                                       \
	X(city, "市")                                                          \
	X(district, "区")                                                      \
	X(street, "街道")                                                      \
	X(town, "镇")                                                          \
	X(grid, "网格")                                                        \
	X(community, "居委")                                                   \
	X(village, "村")

/* Which field a search matched (find's "matched"). */
#define MATCH_FIELDS(X)                                                        \
	X(ref, "编号")                                                         \
	X(title, "标题")                                                       \
	X(location, "地点")                                                    \
	X(description, "描述")                                                 \
	X(note, "备注")

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
const char *names_action(const char *code);
const char *names_source(const char *code);
const char *names_alarm_state(const char *code);
const char *names_region_level(const char *code);
const char *names_match_field(const char *code);
const char *names_role_label(enum role r);
const char *names_role_code(enum role r);
/* The role named by code, or -1. */
int names_role_parse(const char *code);

#endif
