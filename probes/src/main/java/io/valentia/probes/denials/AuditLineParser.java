package io.valentia.probes.denials;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one line of audit output in any of its forms: {@code /dev/kmsg} records ({@code
 * 6,1234,5678,-;audit: type=1326 audit(...): ...}), {@code dmesg} and syslog lines with their
 * prefixes, audit.log lines ({@code type=SECCOMP msg=audit(...): ...}, with or without {@code
 * node=}), auditd's ENRICHED form (interpreted fields after a 0x1d byte) and {@code ausearch -i}
 * output (interpreted values, local dates), and the journal's form of audit records ({@code
 * journalctl}: {@code Mar 14 09:26:53 host audit[4242]: AVC apparmor="DENIED" ...}, which has no
 * audit id: its time is the line's own, read in the parser's zone when it carries no offset, and
 * its serial is 0). Never throws: anything it cannot read is {@link AuditLine.Unreadable} or {@link
 * AuditLine.Other}. Thread-safe.
 */
public final class AuditLineParser {
  private static final int MAX_LINE = 64 * 1024;
  private static final char GROUP_SEPARATOR = 0x1d;

  private static final Pattern SUPPRESSED =
      Pattern.compile("kauditd_printk_skb: (\\d{1,9}) callbacks suppressed");
  private static final Pattern KMSG_PREFIX = Pattern.compile("^\\d+,\\d+,\\d+,[^;]*;");
  private static final Pattern HEADER =
      Pattern.compile("(?:^|[\\s:])type=(\\S+)\\s+(?:msg=)?audit\\(([^)]*)\\)\\s*:\\s?");
  private static final Pattern RAW_ID = Pattern.compile("(\\d{1,12})\\.(\\d{1,9}):(\\d{1,19})");
  private static final Pattern LOCAL_ID =
      Pattern.compile(
          "(\\d{1,2})/(\\d{1,2})/(\\d{2}|\\d{4}) (\\d{1,2}):(\\d{2}):(\\d{2})\\.(\\d{1,3}):(\\d{1,19})");
  private static final Pattern AVC =
      Pattern.compile("^avc:\\s+(denied|granted)\\s+\\{([^}]*)\\}\\s*(?:for\\s+)?");

  /** The journal's audit lines: {@code audit[PID]: TYPE body} or {@code audit: TYPE body}. */
  private static final Pattern JOURNAL =
      Pattern.compile("(?:^|\\s)audit(?:\\[(\\d{1,10})\\])?: ([A-Z][A-Z_]{2,30}|\\d{4}) (.*)$");

  /** {@code journalctl} time prefixes: syslog style (no year) or ISO 8601 (short-iso). */
  private static final Pattern SYSLOG_TIME =
      Pattern.compile("^([A-Z][a-z]{2}) +(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))? ");

  private static final Pattern ISO_TIME =
      Pattern.compile(
          "^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d{1,9})?)([+-]\\d{2}:?\\d{2}|Z)? ");

  private static final java.util.List<String> MONTHS =
      java.util.List.of(
          "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

  private static final Pattern UNKNOWN_TYPE = Pattern.compile("UNKNOWN\\[(\\d+)\\]");

  /** Fields the kernel logs as untrusted strings: quoted when safe, else hex-encoded. */
  private static final Set<String> UNTRUSTED =
      Set.of("comm", "exe", "name", "path", "proctitle", "profile", "ocomm", "cwd");

  private static final Map<String, String> TYPE_NAMES =
      Map.ofEntries(
          Map.entry("1300", "SYSCALL"),
          Map.entry("1302", "PATH"),
          Map.entry("1307", "CWD"),
          Map.entry("1320", "EOE"),
          Map.entry("1326", "SECCOMP"),
          Map.entry("1327", "PROCTITLE"),
          Map.entry("1400", "AVC"),
          Map.entry("1107", "USER_AVC"),
          Map.entry("1423", "LANDLOCK_ACCESS"),
          Map.entry("1424", "LANDLOCK_DOMAIN"));

  private final ZoneId zone;
  private final java.time.Clock clock;

  /**
   * @param zone the time zone of {@code ausearch -i} dates and of journal lines without an offset
   *     (the zone of the machine that printed them)
   */
  public AuditLineParser(ZoneId zone) {
    this(zone, java.time.Clock.system(zone));
  }

  /**
   * @param zone as above
   * @param clock gives the year of journal lines whose time has none (the year of now, or the one
   *     before when that date would be in the future)
   */
  public AuditLineParser(ZoneId zone, java.time.Clock clock) {
    this.zone = zone;
    this.clock = clock;
  }

  /** The zone of {@code ausearch -i} dates and of journal times without an offset. */
  public ZoneId zone() {
    return zone;
  }

  /** A parser for {@code ausearch -i} output made on this machine. */
  public AuditLineParser() {
    this(ZoneId.systemDefault());
  }

  /** Reads one line (without its line terminator); never throws. */
  public AuditLine parse(String line) {
    try {
      return parseUnchecked(line);
    } catch (RuntimeException e) {
      return new AuditLine.Unreadable("unreadable: " + e.getClass().getSimpleName());
    }
  }

  private AuditLine parseUnchecked(String line) {
    if (line == null || line.isBlank()) {
      return new AuditLine.Other();
    }
    if (line.length() > MAX_LINE) {
      return new AuditLine.Unreadable("longer than " + MAX_LINE + " characters");
    }
    String text = KMSG_PREFIX.matcher(line).replaceFirst("");
    Matcher suppressed = SUPPRESSED.matcher(text);
    if (suppressed.find()) {
      return new AuditLine.Suppressed(Integer.parseInt(suppressed.group(1)));
    }
    Matcher header = HEADER.matcher(text);
    if (!header.find()) {
      Matcher journal = JOURNAL.matcher(text);
      if (journal.find()) {
        return journalRecord(text, journal);
      }
      if (text.contains("type=") && text.contains("audit(")) {
        return new AuditLine.Unreadable("audit record without a readable header");
      }
      return new AuditLine.Other();
    }
    String type = typeName(header.group(1));
    String id = header.group(2);
    String body = text.substring(header.end());

    Instant time;
    long serial;
    boolean interpreted;
    Matcher raw = RAW_ID.matcher(id);
    Matcher local = LOCAL_ID.matcher(id);
    String serialDigits = raw.matches() ? raw.group(3) : local.matches() ? local.group(8) : null;
    if (serialDigits != null && new java.math.BigInteger(serialDigits).bitLength() > 63) {
      return new AuditLine.Unreadable("audit id with a serial out of range: " + id);
    }
    if (raw.matches()) {
      String fraction = (raw.group(2) + "000000000").substring(0, 9);
      time = Instant.ofEpochSecond(Long.parseLong(raw.group(1)), Long.parseLong(fraction));
      serial = Long.parseLong(raw.group(3));
      interpreted = false;
    } else if (local.matches()) {
      try {
        time = localTime(local);
      } catch (DateTimeException e) {
        return new AuditLine.Unreadable("audit id with an impossible date: " + id);
      }
      serial = Long.parseLong(local.group(8));
      interpreted = true;
    } else {
      return new AuditLine.Unreadable("audit id is not EPOCH.MS:SERIAL: " + id);
    }

    Map<String, String> enriched = Map.of();
    int separator = body.indexOf(GROUP_SEPARATOR);
    if (separator >= 0) {
      enriched = fields(body.substring(separator + 1), false);
      body = body.substring(0, separator);
    }
    String verdict = null;
    String permissions = null;
    Matcher avc = AVC.matcher(body);
    if (avc.find()) {
      verdict = avc.group(1);
      permissions = avc.group(2).trim().replaceAll("\\s+", " ");
      body = body.substring(avc.end());
    }
    return new AuditLine.Record(
        new AuditRecord(
            type,
            time,
            serial,
            fields(body, interpreted),
            enriched,
            verdict,
            permissions,
            interpreted));
  }

  private AuditLine journalRecord(String text, Matcher journal) {
    Instant time;
    try {
      time = journalTime(text);
    } catch (DateTimeException | NumberFormatException e) {
      return new AuditLine.Unreadable("journal audit line with an impossible time");
    }
    if (time == null) {
      return new AuditLine.Unreadable("journal audit line without a time");
    }
    String type = typeName(journal.group(2));
    String body = journal.group(3);
    String verdict = null;
    String permissions = null;
    Matcher avc = AVC.matcher(body);
    if (avc.find()) {
      verdict = avc.group(1);
      permissions = avc.group(2).trim().replaceAll("\\s+", " ");
      body = body.substring(avc.end());
    }
    Map<String, String> fields = new HashMap<>(fields(body, false));
    if (journal.group(1) != null) {
      fields.putIfAbsent("pid", journal.group(1));
    }
    return new AuditLine.Record(
        new AuditRecord(type, time, 0, fields, Map.of(), verdict, permissions, false));
  }

  /** The time at the start of a journal line; null when it has none. */
  private Instant journalTime(String text) {
    Matcher iso = ISO_TIME.matcher(text);
    if (iso.find()) {
      LocalDateTime local = LocalDateTime.parse(iso.group(1).replace(',', '.'));
      String offset = iso.group(2);
      if (offset == null) {
        return local.atZone(zone).toInstant();
      }
      if (!offset.equals("Z") && !offset.contains(":")) {
        offset = offset.substring(0, 3) + ":" + offset.substring(3);
      }
      return local.atOffset(java.time.ZoneOffset.of(offset)).toInstant();
    }
    Matcher syslog = SYSLOG_TIME.matcher(text);
    if (!syslog.find() || !MONTHS.contains(syslog.group(1))) {
      return null;
    }
    String fraction =
        syslog.group(6) == null ? "0" : (syslog.group(6) + "000000000").substring(0, 9);
    LocalTime timeOfDay =
        LocalTime.of(
            Integer.parseInt(syslog.group(3)),
            Integer.parseInt(syslog.group(4)),
            Integer.parseInt(syslog.group(5)),
            Integer.parseInt(fraction));
    java.time.ZonedDateTime now = clock.instant().atZone(zone);
    int month = MONTHS.indexOf(syslog.group(1)) + 1;
    int day = Integer.parseInt(syslog.group(2));
    java.time.ZonedDateTime at =
        LocalDateTime.of(LocalDate.of(now.getYear(), month, day), timeOfDay).atZone(zone);
    if (at.isAfter(now.plusDays(1))) {
      at = LocalDateTime.of(LocalDate.of(now.getYear() - 1, month, day), timeOfDay).atZone(zone);
    }
    return at.toInstant();
  }

  private Instant localTime(Matcher m) {
    int year = Integer.parseInt(m.group(3));
    if (m.group(3).length() == 2) {
      year += 2000;
    }
    LocalDateTime dateTime =
        LocalDateTime.of(
            LocalDate.of(year, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))),
            LocalTime.of(
                Integer.parseInt(m.group(4)),
                Integer.parseInt(m.group(5)),
                Integer.parseInt(m.group(6)),
                Integer.parseInt((m.group(7) + "00").substring(0, 3)) * 1_000_000));
    return dateTime.atZone(zone).toInstant();
  }

  private static String typeName(String type) {
    Matcher unknown = UNKNOWN_TYPE.matcher(type);
    String t = unknown.matches() ? unknown.group(1) : type;
    return TYPE_NAMES.getOrDefault(t, t);
  }

  /**
   * The {@code key=value} fields of a record body. Values are bare, {@code "double"} or {@code
   * 'single'} quoted; untrusted strings that the kernel hex-encoded are decoded. In interpreted
   * output a bare value runs on over spaces until the next {@code key=}.
   */
  static Map<String, String> fields(String body, boolean interpreted) {
    Map<String, String> fields = new HashMap<>();
    int i = 0;
    int n = body.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(body.charAt(i))) {
        i++;
      }
      int keyStart = i;
      while (i < n && isKeyChar(body.charAt(i))) {
        i++;
      }
      if (i >= n || body.charAt(i) != '=' || i == keyStart) {
        // not a field: skip the token
        while (i < n && !Character.isWhitespace(body.charAt(i))) {
          i++;
        }
        continue;
      }
      String key = body.substring(keyStart, i);
      i++;
      String value;
      if (i < n && (body.charAt(i) == '"' || body.charAt(i) == '\'')) {
        char quote = body.charAt(i);
        int end = body.indexOf(quote, i + 1);
        if (end < 0) {
          end = n;
        }
        value = body.substring(i + 1, end);
        i = Math.min(n, end + 1);
      } else {
        int start = i;
        while (i < n && !Character.isWhitespace(body.charAt(i))) {
          i++;
        }
        if (interpreted) {
          while (i < n && !nextIsField(body, i)) {
            int next = i;
            while (next < n && Character.isWhitespace(body.charAt(next))) {
              next++;
            }
            if (next >= n) {
              break;
            }
            i = next;
            while (i < n && !Character.isWhitespace(body.charAt(i))) {
              i++;
            }
          }
        }
        value = body.substring(start, i);
        if (!interpreted && UNTRUSTED.contains(key)) {
          value = hexDecoded(value);
        }
      }
      fields.putIfAbsent(key, value);
    }
    return fields;
  }

  private static boolean nextIsField(String body, int i) {
    int n = body.length();
    int j = i;
    while (j < n && Character.isWhitespace(body.charAt(j))) {
      j++;
    }
    int keyStart = j;
    while (j < n && isKeyChar(body.charAt(j))) {
      j++;
    }
    return j < n && j > keyStart && body.charAt(j) == '=';
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }

  private static String hexDecoded(String value) {
    if (value.length() < 2 || value.length() % 2 != 0 || value.equals("(null)")) {
      return value;
    }
    for (int k = 0; k < value.length(); k++) {
      char c = value.charAt(k);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
        return value;
      }
    }
    byte[] bytes = HexFormat.of().parseHex(value);
    return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').trim();
  }
}
