package io.valentia.postmortem.incidents;

/**
 * What reaches the incident processor: an event that fired a rule, a warning or critical event that
 * may join an incident, or a status command.
 *
 * @param trigger the rule the event fired; null when none
 * @param event the event, as CloudEvents JSON
 */
record Signal(Trigger trigger, String event) {}
