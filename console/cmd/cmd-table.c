/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The command table: every command the console knows, in help order. */
#include <stddef.h>

#include "cityops/cmd/cmd.h"
#include "cityops/cmd/cmd-entries.h"

/* Two a line, by hand, so that a new entry is a one-line change. */
/* clang-format off */
const struct cmd_entry *const cmd_table[] = {
    &cmd_help_entry,      &cmd_whoami_entry,
    &cmd_queue_entry,     &cmd_show_entry,
    &cmd_raise_entry,     &cmd_ack_entry,
    &cmd_dispatch_entry,  &cmd_accept_entry,
    &cmd_return_entry,    &cmd_arrive_entry,
    &cmd_resolve_entry,   &cmd_verify_entry,
    &cmd_close_entry,     &cmd_reopen_entry,
    &cmd_unfounded_entry, &cmd_cancel_entry,
    &cmd_escalate_entry,  &cmd_note_entry,
    &cmd_recommend_entry, &cmd_units_entry,
    &cmd_unit_entry,      &cmd_unit_status_entry,
    &cmd_region_entry,    &cmd_vitals_entry,
    &cmd_history_entry,   &cmd_mode_entry,
    &cmd_switch_entry,    &cmd_indicator_entry,
    &cmd_feed_entry,      &cmd_alarms_entry,
    &cmd_alarm_entry,     &cmd_report_entry,
    &cmd_handover_entry,  &cmd_escalation_entry,
    &cmd_find_entry,      &cmd_sensor_entry,
    NULL,
};
/* clang-format on */
