/**
 * Reading configuration: a section's keys are declared as typed {@link
 * io.valentia.eventbus.config.Field}s (name, type, default, checks, description), a {@link
 * io.valentia.eventbus.config.ConfigSection} reads them and collects every problem with its key
 * path and where its value came from, and {@link io.valentia.eventbus.config.ConfigException} is
 * the one exception of a bad configuration. {@link io.valentia.eventbus.config.Durations} is the
 * one duration grammar of configuration, experiments and command-line options.
 */
package io.valentia.eventbus.config;
