package io.valentia.chaos.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A seccomp profile in Docker's JSON format ({@code defaultAction}, {@code syscalls[]} with {@code
 * names}, {@code action}, {@code errnoRet}), compiled to a classic-BPF filter for x86_64 as {@code
 * bwrap --seccomp FD} reads it. Rules with {@code args}, or that {@code includes} capabilities or
 * other architectures, are left out (their system calls get the default action) and listed in
 * {@link #skipped()}. System calls of another ABI than x86_64's are killed.
 */
public final class SeccompProfile {
  static final int AUDIT_ARCH_X86_64 = 0xc000003e;
  private static final int RET_KILL_PROCESS = 0x80000000;
  private static final Map<String, Integer> SYSCALLS = loadTable();

  private final byte[] filter;
  private final List<String> skipped;

  private SeccompProfile(byte[] filter, List<String> skipped) {
    this.filter = filter;
    this.skipped = List.copyOf(skipped);
  }

  /** The filter: 8-byte {@code sock_filter} instructions, little-endian. */
  public byte[] filter() {
    return filter.clone();
  }

  /** Rules left out, with why. */
  public List<String> skipped() {
    return skipped;
  }

  /**
   * Compiles {@code profile}.
   *
   * @param problems receives every problem (unknown action, unknown system call name); the result
   *     is null when there is one
   */
  public static SeccompProfile compile(JsonNode profile, List<String> problems) {
    if (!profile.isObject()) {
      problems.add(
          "profile: must be a Docker seccomp profile (a mapping with defaultAction and syscalls)");
      return null;
    }
    Integer defaultAction =
        action(
            profile.path("defaultAction").asText(""),
            profile.path("defaultErrnoRet"),
            problems,
            "defaultAction");
    List<int[]> rules = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    JsonNode syscalls = profile.path("syscalls");
    for (int i = 0; i < syscalls.size(); i++) {
      JsonNode rule = syscalls.get(i);
      String where = "syscalls[" + i + "]";
      if (rule.path("args").size() > 0) {
        skipped.add(where + ": argument conditions are not supported");
        continue;
      }
      JsonNode includes = rule.path("includes");
      if (includes.path("caps").size() > 0
          || includes.path("minKernel").isTextual()
          || (includes.path("arches").size() > 0
              && !contains(includes.path("arches"), "amd64", "x86_64"))) {
        skipped.add(where + ": only for other capabilities, kernels or architectures");
        continue;
      }
      if (contains(rule.path("excludes").path("arches"), "amd64", "x86_64")) {
        skipped.add(where + ": excluded on x86_64");
        continue;
      }
      Integer act =
          action(
              rule.path("action").asText(""), rule.path("errnoRet"), problems, where + ".action");
      List<String> names = new ArrayList<>();
      rule.path("names").forEach(n -> names.add(n.asText()));
      if (rule.path("name").isTextual()) {
        names.add(rule.path("name").asText());
      }
      for (String name : names) {
        Integer nr = SYSCALLS.get(name);
        if (nr == null) {
          problems.add(where + ".names: unknown x86_64 system call " + name);
        } else if (act != null) {
          rules.add(new int[] {nr, act});
        }
      }
    }
    if (!problems.isEmpty() || defaultAction == null) {
      return null;
    }
    ByteBuffer out =
        ByteBuffer.allocate((6 + rules.size() * 2 + 1) * 8).order(ByteOrder.LITTLE_ENDIAN);
    insn(out, 0x20, 0, 0, 4); // ld arch
    insn(out, 0x15, 1, 0, AUDIT_ARCH_X86_64); // jeq x86_64 ? skip the kill
    insn(out, 0x06, 0, 0, RET_KILL_PROCESS);
    insn(out, 0x20, 0, 0, 0); // ld nr
    insn(out, 0x35, 0, 1, 0x40000000); // x32 ABI ? kill
    insn(out, 0x06, 0, 0, RET_KILL_PROCESS);
    for (int[] r : rules) {
      insn(out, 0x15, 0, 1, r[0]);
      insn(out, 0x06, 0, 0, r[1]);
    }
    insn(out, 0x06, 0, 0, defaultAction);
    return new SeccompProfile(out.array(), skipped);
  }

  private static boolean contains(JsonNode list, String... values) {
    for (JsonNode n : list) {
      for (String v : values) {
        if (v.equals(n.asText())) {
          return true;
        }
      }
    }
    return false;
  }

  private static void insn(ByteBuffer out, int code, int jt, int jf, int k) {
    out.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
  }

  private static Integer action(
      String name, JsonNode errnoRet, List<String> problems, String where) {
    int errno = errnoRet.canConvertToInt() ? errnoRet.asInt() : 1; // EPERM
    return switch (name) {
      case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> 0x00000000;
      case "SCMP_ACT_KILL_PROCESS" -> RET_KILL_PROCESS;
      case "SCMP_ACT_TRAP" -> 0x00030000;
      case "SCMP_ACT_ERRNO" -> 0x00050000 | (errno & 0xffff);
      case "SCMP_ACT_TRACE" -> 0x7ff00000 | (errno & 0xffff);
      case "SCMP_ACT_LOG" -> 0x7ffc0000;
      case "SCMP_ACT_ALLOW" -> 0x7fff0000;
      default -> {
        problems.add(where + ": unknown action " + (name.isEmpty() ? "(none)" : name));
        yield null;
      }
    };
  }

  /** Whether {@code name} is an x86_64 system call. */
  static boolean isSyscall(String name) {
    return SYSCALLS.containsKey(name);
  }

  private static Map<String, Integer> loadTable() {
    Map<String, Integer> table = new HashMap<>();
    try (InputStream in = SeccompProfile.class.getResourceAsStream("syscalls-x86_64.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          String[] parts = line.trim().split(" ");
          table.put(parts[0], Integer.parseInt(parts[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("the x86_64 system call table is missing from the jar", e);
    }
    return table;
  }
}
