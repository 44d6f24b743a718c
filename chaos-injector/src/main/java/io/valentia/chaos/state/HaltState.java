package io.valentia.chaos.state;

import java.time.Instant;

/**
 * The halt switch as it stands: the latest halt or release command, kept under key {@code halt} of
 * {@code valentia.state.schedules}, so an injector that starts during a halt is halted too.
 *
 * @param commandId the id of the command (each injector applies a command once)
 * @param halted true after a halt, false after a release
 * @param by who asked
 * @param reason why; null when not given
 * @param at when it was asked
 */
public record HaltState(String commandId, boolean halted, String by, String reason, Instant at) {}
