package io.valentia.chaos.schedule;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An experiment on a schedule.
 *
 * @param id the schedule's id
 * @param title the experiment's title
 * @param spec the schedule as written (cron or interval)
 * @param trigger the parsed schedule
 * @param experiment the experiment document
 * @param options zone, jitter, blackouts and policies
 */
public record Schedule(
    String id,
    String title,
    String spec,
    Trigger trigger,
    JsonNode experiment,
    ScheduleOptions options) {}
