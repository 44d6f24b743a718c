package io.valentia.probes.denials;

import java.util.Locale;
import java.util.Optional;

/**
 * The architectures whose syscall numbers Valentia can name, with their {@code AUDIT_ARCH_*} values
 * (the hex {@code arch=} field of audit records).
 */
public enum AuditArch {
  X86_64("x86_64", 0xc000003eL),
  AARCH64("aarch64", 0xc00000b7L),
  I386("i386", 0x40000003L);

  private final String archName;
  private final long auditValue;

  AuditArch(String archName, long auditValue) {
    this.archName = archName;
    this.auditValue = auditValue;
  }

  /** The name as {@code uname -m} and {@code ausearch -i} print it, e.g. {@code x86_64}. */
  public String archName() {
    return archName;
  }

  /** The {@code AUDIT_ARCH_*} constant. */
  public long auditValue() {
    return auditValue;
  }

  /**
   * The architecture of an {@code arch=} value: the raw hex ({@code c000003e}) or an interpreted
   * name ({@code x86_64}, also {@code i686}, {@code arm64}); empty when it is neither.
   */
  public static Optional<AuditArch> of(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.toLowerCase(Locale.ROOT);
    for (AuditArch arch : values()) {
      if (arch.archName.equals(v)) {
        return Optional.of(arch);
      }
    }
    switch (v) {
      case "amd64":
        return Optional.of(X86_64);
      case "arm64":
        return Optional.of(AARCH64);
      case "i686", "i586", "i486", "x86":
        return Optional.of(I386);
      default:
        break;
    }
    Long hex = parseHex(v);
    if (hex != null) {
      for (AuditArch arch : values()) {
        if (arch.auditValue == hex) {
          return Optional.of(arch);
        }
      }
    }
    return Optional.empty();
  }

  /** The architecture this JVM runs on, if Valentia knows its syscall table. */
  public static Optional<AuditArch> current() {
    return of(System.getProperty("os.arch", ""));
  }

  static Long parseHex(String value) {
    String v = value.startsWith("0x") ? value.substring(2) : value;
    if (v.isEmpty() || v.length() > 8) {
      return null;
    }
    try {
      return Long.parseLong(v, 16);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
