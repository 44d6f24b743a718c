package io.valentia.probes.denials;

import io.valentia.eventbus.payload.Container;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a live process runs: its container (from {@code /proc/PID/cgroup}, cgroup v1 or v2, for
 * docker, containerd/CRI, cri-o, podman and systemd units) and its seccomp mode (from {@code
 * /proc/PID/status}). Blocking (reads files). Thread-safe.
 */
public final class ProcessAttribution {
  private static final String ID = "([0-9a-f]{64})";
  private static final Pattern DOCKER =
      Pattern.compile("(?:^|/)docker[-/]" + ID + "(?:\\.scope)?$");
  private static final Pattern PODMAN =
      Pattern.compile("(?:^|/)libpod-(?:conmon-)?" + ID + "(?:\\.scope)?(?:/container)?$");
  private static final Pattern CRIO =
      Pattern.compile("(?:^|/)crio-(?:conmon-)?" + ID + "(?:\\.scope)?$");
  private static final Pattern CRI_CONTAINERD =
      Pattern.compile("(?:^|/)cri-containerd-" + ID + "(?:\\.scope)?$");
  private static final Pattern KUBEPODS_CGROUPFS =
      Pattern.compile("^/kubepods(?:/[^/]+)?/pod[0-9a-f_-]+/" + ID + "$");
  private static final Pattern BARE_ID = Pattern.compile("(?:^|/)" + ID + "$");
  private static final Pattern SYSTEMD_UNIT =
      Pattern.compile("(?:^|/)([^/]+\\.(?:service|scope))$");

  private final Path procRoot;

  /**
   * @param procRoot where proc is mounted ({@code /proc}; a copy of it in tests)
   */
  public ProcessAttribution(Path procRoot) {
    this.procRoot = procRoot;
  }

  /** The process's facts: empty when it has gone (a killed process often has). */
  public Facts of(long pid) {
    Path dir = procRoot.resolve(Long.toString(pid));
    Container container = null;
    String seccomp = null;
    try {
      container = container(Files.readString(dir.resolve("cgroup"), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // gone, or not ours to read: no attribution
    }
    try {
      seccomp = seccompMode(Files.readString(dir.resolve("status"), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return new Facts(container, seccomp);
  }

  /**
   * The container a {@code /proc/PID/cgroup} file names: the cgroup v2 line ({@code 0::/path}) when
   * it names one, else the first v1 hierarchy that does; null for a process outside any container
   * or unit (the root cgroup, a user session slice).
   */
  public static Container container(String cgroupFile) {
    Container v1 = null;
    for (String line : cgroupFile.split("\n")) {
      String[] parts = line.split(":", 3);
      if (parts.length < 3) {
        continue;
      }
      Container c = containerOfPath(parts[2].trim());
      if (c == null) {
        continue;
      }
      if (parts[0].equals("0") && parts[1].isEmpty()) {
        return c;
      }
      if (v1 == null || (v1.id() == null && c.id() != null)) {
        v1 = c;
      }
    }
    return v1;
  }

  /** The container one cgroup path names, or null. */
  public static Container containerOfPath(String path) {
    if (path.isEmpty() || path.equals("/")) {
      return null;
    }
    Matcher m;
    if ((m = DOCKER.matcher(path)).find()) {
      return new Container(m.group(1), "docker", path);
    }
    if ((m = PODMAN.matcher(path)).find()) {
      return new Container(m.group(1), "podman", path);
    }
    if ((m = CRIO.matcher(path)).find()) {
      return new Container(m.group(1), "cri-o", path);
    }
    if ((m = CRI_CONTAINERD.matcher(path)).find()) {
      return new Container(m.group(1), "containerd", path);
    }
    if ((m = KUBEPODS_CGROUPFS.matcher(path)).find()) {
      return new Container(m.group(1), "containerd", path);
    }
    if ((m = BARE_ID.matcher(path)).find()) {
      return new Container(m.group(1), "unknown", path);
    }
    if (SYSTEMD_UNIT.matcher(path).find()) {
      return new Container(null, "systemd", path);
    }
    return null;
  }

  /**
   * The seccomp mode of a {@code /proc/PID/status} file: {@code disabled}, {@code strict} or {@code
   * filter}; null when the line is missing.
   */
  public static String seccompMode(String statusFile) {
    for (String line : statusFile.split("\n")) {
      if (line.startsWith("Seccomp:")) {
        return switch (line.substring("Seccomp:".length()).trim()) {
          case "0" -> "disabled";
          case "1" -> "strict";
          case "2" -> "filter";
          default -> null;
        };
      }
    }
    return null;
  }

  /**
   * @param container null when not in a container or unit, or gone
   * @param seccompMode null when gone
   */
  public record Facts(Container container, String seccompMode) {}
}
