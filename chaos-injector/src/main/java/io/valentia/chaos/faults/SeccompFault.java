package io.valentia.chaos.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.experiment.Arguments;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code seccomp}: runs a command under a Docker-format seccomp profile, compiled by Valentia into
 * a classic-BPF filter and applied with {@code bwrap --seccomp}. The command is killed when the
 * duration ends (or on revert) if it still runs.
 */
final class SeccompFault implements Fault {
  @Override
  public String name() {
    return "seccomp";
  }

  @Override
  public String summary() {
    return "run a command under a Docker-format seccomp profile (bwrap --seccomp); args: profile"
        + " (a mapping, or the path of a JSON file), command (list)";
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.onlyKnown(Set.of("profile", "command", "duration"));
    List<String> command = arguments.strings("command");
    if (command.isEmpty()) {
      arguments.problem("command: required (the program and its arguments)");
    }
    JsonNode profile = arguments.raw().path("profile");
    if (profile.isMissingNode()) {
      arguments.problem("profile: required");
    } else if (!arguments.isChecking() || !profile.isTextual()) {
      List<String> problems = new ArrayList<>();
      JsonNode read = read(profile, problems);
      if (read != null) {
        SeccompProfile.compile(read, problems);
      }
      problems.forEach(arguments::problem);
    }
    return List.of(new Target("host", "localhost"));
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    List<String> problems = new ArrayList<>();
    SeccompProfile profile =
        SeccompProfile.compile(read(arguments.raw().path("profile"), problems), problems);
    if (profile == null) {
      throw new FaultException("seccomp: " + String.join("; ", problems));
    }
    Path filter;
    try {
      filter = Files.createTempFile("valentia-seccomp-", ".bpf");
      Files.write(filter, profile.filter());
    } catch (IOException e) {
      throw new FaultException("cannot write the seccomp filter: " + e.getMessage(), e);
    }
    StringBuilder script = new StringBuilder("exec bwrap --dev-bind / / --seccomp 3 --");
    for (String part : arguments.strings("command")) {
      script.append(" '").append(part.replace("'", "'\\''")).append("'");
    }
    script.append(" 3< '").append(filter.toString().replace("'", "'\\''")).append("'");
    Process process;
    try {
      process =
          new ProcessBuilder("sh", "-c", script.toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      deleteQuietly(filter);
      throw new FaultException("cannot start bwrap: " + e.getMessage(), e);
    }
    return () -> {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      deleteQuietly(filter);
    };
  }

  private static JsonNode read(JsonNode profile, List<String> problems) {
    if (profile.isObject()) {
      return profile;
    }
    if (profile.isTextual()) {
      try {
        return EventCodec.MAPPER.readTree(Path.of(profile.asText()).toFile());
      } catch (IOException e) {
        problems.add("profile: cannot read " + profile.asText() + ": " + e.getMessage());
        return null;
      }
    }
    problems.add("profile: must be a mapping or the path of a JSON file");
    return null;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // nothing more to do
    }
  }
}
