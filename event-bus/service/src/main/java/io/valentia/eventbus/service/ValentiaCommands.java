package io.valentia.eventbus.service;

import java.util.List;

/**
 * Commands a module adds to the {@code valentia} command line, found with {@link
 * java.util.ServiceLoader} ({@code
 * META-INF/services/io.valentia.eventbus.service.ValentiaCommands}). Each element is a picocli
 * {@code @Command}-annotated object; its name becomes a subcommand ({@code valentia probe ...}).
 * The same exit codes hold: 0 ok, 1 found a problem, 2 bad usage.
 */
public interface ValentiaCommands {
  List<Object> commands();
}
