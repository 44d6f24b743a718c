package io.valentia.probes.denials;

/** What one input line turned out to be. */
public sealed interface AuditLine {

  /** An audit record. */
  record Record(AuditRecord record) implements AuditLine {}

  /**
   * The kernel's {@code kauditd_printk_skb: N callbacks suppressed}: N audit records (denials among
   * them) were not printed individually.
   */
  record Suppressed(int count) implements AuditLine {}

  /** A line of another kind the input legitimately holds (other kernel messages, separators). */
  record Other() implements AuditLine {}

  /** A line that looks like an audit record but is not one Valentia can read. */
  record Unreadable(String reason) implements AuditLine {}
}
