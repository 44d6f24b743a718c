package io.valentia.probes.denials;

import java.time.Instant;
import java.util.Map;

/**
 * One Linux audit record, in whichever form it was read (kernel log, audit.log raw or ENRICHED,
 * {@code ausearch -i}).
 *
 * @param type the record type name ({@code SECCOMP}, {@code AVC}, {@code SYSCALL}, {@code
 *     LANDLOCK_ACCESS}, ...), or the number as text when the type has no name here
 * @param time when the event happened (the audit id's timestamp)
 * @param serial the audit id's serial; records with the same time and serial belong to one event
 * @param fields the {@code key=value} fields, unquoted and hex-decoded
 * @param enriched the ENRICHED fields auditd appends after the 0x1d separator ({@code UID}, {@code
 *     ARCH}, {@code SYSCALL}, ...); empty in other forms
 * @param avcVerdict for an SELinux AVC, {@code denied} or {@code granted}; null otherwise
 * @param avcPermissions for an SELinux AVC, the permissions between braces; null otherwise
 * @param interpreted whether values are interpreted ({@code ausearch -i}: names, not numbers)
 */
public record AuditRecord(
    String type,
    Instant time,
    long serial,
    Map<String, String> fields,
    Map<String, String> enriched,
    String avcVerdict,
    String avcPermissions,
    boolean interpreted) {

  public AuditRecord {
    fields = Map.copyOf(fields);
    enriched = Map.copyOf(enriched);
  }

  /** The audit id, {@code EPOCH.MILLIS:SERIAL}, shared by every record of one event. */
  public String auditId() {
    return time.getEpochSecond()
        + "."
        + String.format("%03d", time.getNano() / 1_000_000)
        + ":"
        + serial;
  }

  /** A field, or null. */
  public String field(String key) {
    return fields.get(key);
  }
}
