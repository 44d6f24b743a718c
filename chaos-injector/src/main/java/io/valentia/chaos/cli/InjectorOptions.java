package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.safety.ProviderAllowList;
import io.valentia.chaos.safety.TargetAllowList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The safety configuration of a command that injects: {@code --config FILE} and {@code --allow}.
 */
public final class InjectorOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "a Valentia configuration file (YAML); its chaos section sets the allow-list and blast radius")
  Path config;

  @Option(
      names = "--allow",
      paramLabel = "KIND=PATTERN",
      description =
          "allow faults on matching targets (repeatable); KIND is pid, cgroup, namespace,"
              + " interface or host; PATTERN a glob, e.g. --allow namespace=chaos-*; or allow"
              + " the process provider to run an executable (--allow executable=/usr/bin/curl,"
              + " an absolute path) or the http provider to call URLs under a prefix"
              + " (--allow url=http://localhost:9090/api/)")
  List<String> allow = new ArrayList<>();

  /** Whether {@code --config} or {@code --allow} was given. */
  public boolean given() {
    return config != null || !allow.isEmpty();
  }

  /** The configuration, or a usage error listing every problem. */
  public ChaosConfig read(CommandSpec spec) {
    ChaosConfig base = ChaosConfig.defaults();
    if (config != null) {
      JsonNode root;
      try {
        root = new ObjectMapper(new YAMLFactory()).readTree(config.toFile());
      } catch (IOException e) {
        throw new ParameterException(
            spec.commandLine(), "cannot read --config " + config + ": " + e.getMessage());
      }
      List<String> problems = new ArrayList<>();
      base = ChaosConfig.read(root == null ? null : root.path("chaos"), problems);
      if (!problems.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "bad configuration in " + config + ":\n  chaos." + String.join("\n  chaos.", problems));
      }
    }
    Map<String, List<String>> more = new LinkedHashMap<>();
    for (String entry : allow) {
      int eq = entry.indexOf('=');
      String kind = eq < 0 ? "" : entry.substring(0, eq);
      String key =
          switch (kind) {
            case "executable" -> ProviderAllowList.EXECUTABLES;
            case "url" -> ProviderAllowList.URLS;
            default -> TargetAllowList.KEYS.get(kind);
          };
      if (key == null || eq == entry.length() - 1) {
        throw new ParameterException(
            spec.commandLine(),
            "--allow "
                + entry
                + ": must be KIND=PATTERN with KIND one of pid, cgroup, namespace, interface,"
                + " host, executable, url");
      }
      more.computeIfAbsent(key, k -> new ArrayList<>()).add(entry.substring(eq + 1));
    }
    try {
      return base.allowing(more);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--allow: " + e.getMessage());
    }
  }
}
