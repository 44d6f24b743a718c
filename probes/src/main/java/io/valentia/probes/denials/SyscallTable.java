package io.valentia.probes.denials;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Syscall number to name for one architecture, read from the table checked in as {@code
 * /denials/syscalls-ARCH.tsv} (generated from the Linux kernel's syscall tables; the source is
 * named in each file). Immutable and thread-safe.
 */
public final class SyscallTable {
  private static final Map<AuditArch, SyscallTable> TABLES = new EnumMap<>(AuditArch.class);

  private final AuditArch arch;
  private final Map<Integer, String> names;
  private final Map<String, Integer> numbers;

  private SyscallTable(AuditArch arch, Map<Integer, String> names) {
    this.arch = arch;
    this.names = Map.copyOf(names);
    Map<String, Integer> byName = new HashMap<>();
    names.forEach((nr, name) -> byName.putIfAbsent(name, nr));
    this.numbers = Map.copyOf(byName);
  }

  /** The table of {@code arch}. */
  public static synchronized SyscallTable of(AuditArch arch) {
    return TABLES.computeIfAbsent(arch, SyscallTable::load);
  }

  public AuditArch arch() {
    return arch;
  }

  /** The name of syscall {@code number}; empty when the table does not have it. */
  public Optional<String> name(int number) {
    return Optional.ofNullable(names.get(number));
  }

  /** The number of syscall {@code name}; empty when the table does not have it. */
  public OptionalInt number(String name) {
    Integer nr = numbers.get(name);
    return nr == null ? OptionalInt.empty() : OptionalInt.of(nr);
  }

  /** How many syscalls the table names. */
  public int size() {
    return names.size();
  }

  private static SyscallTable load(AuditArch arch) {
    String resource = "/denials/syscalls-" + arch.archName() + ".tsv";
    Map<Integer, String> names = new HashMap<>();
    try (InputStream in = SyscallTable.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("syscall table " + resource + " is missing from the jar");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split("\t");
        names.put(Integer.parseInt(parts[0].trim()), parts[1].trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + resource, e);
    }
    return new SyscallTable(arch, names);
  }
}
