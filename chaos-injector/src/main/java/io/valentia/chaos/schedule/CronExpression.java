package io.valentia.chaos.schedule;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cron expression in the UNIX dialect (5 fields: minute hour day-of-month month day-of-week) or
 * the Quartz dialect (6 or 7 fields: second minute hour day-of-month month day-of-week [year], with
 * {@code ?} for "no specific value" and days of the week 1-7 from Sunday). Fields take {@code *},
 * numbers, names ({@code JAN}, {@code MON}), lists, ranges and steps. As in cron, when both day of
 * month and day of week are restricted a day matching either one fires. Immutable.
 */
public final class CronExpression {
  private static final Map<String, Integer> MONTHS =
      Map.ofEntries(
          Map.entry("JAN", 1),
          Map.entry("FEB", 2),
          Map.entry("MAR", 3),
          Map.entry("APR", 4),
          Map.entry("MAY", 5),
          Map.entry("JUN", 6),
          Map.entry("JUL", 7),
          Map.entry("AUG", 8),
          Map.entry("SEP", 9),
          Map.entry("OCT", 10),
          Map.entry("NOV", 11),
          Map.entry("DEC", 12));
  private static final Map<String, Integer> DAYS =
      Map.of("SUN", 0, "MON", 1, "TUE", 2, "WED", 3, "THU", 4, "FRI", 5, "SAT", 6);

  private final String text;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek; // 0 = Sunday
  private final BitSet years; // offset from 1970; null = any
  private final boolean domStar;
  private final boolean dowStar;

  private CronExpression(String text, List<String> problems) {
    this.text = text;
    String[] f = text.trim().toUpperCase(Locale.ROOT).split("\\s+");
    boolean quartz = f.length == 6 || f.length == 7;
    if (f.length != 5 && !quartz) {
      problems.add(
          "a cron expression has 5 fields (UNIX) or 6-7 fields (Quartz), found " + f.length);
      seconds = minutes = hours = daysOfMonth = months = daysOfWeek = new BitSet();
      years = null;
      domStar = dowStar = true;
      return;
    }
    int i = 0;
    seconds = quartz ? field(f[i++], 0, 59, Map.of(), "second", problems, false) : bits(0);
    minutes = field(f[i++], 0, 59, Map.of(), "minute", problems, false);
    hours = field(f[i++], 0, 23, Map.of(), "hour", problems, false);
    String dom = f[i++];
    daysOfMonth = field(dom, 1, 31, Map.of(), "day of month", problems, quartz);
    months = field(f[i++], 1, 12, MONTHS, "month", problems, false);
    String dow = f[i++];
    if (quartz) {
      // Quartz: 1-7 = SUN-SAT
      BitSet q = field(dow, 1, 7, quartzDays(), "day of week", problems, true);
      BitSet d = new BitSet();
      q.stream().forEach(b -> d.set(b - 1));
      daysOfWeek = d;
    } else {
      BitSet d = field(dow, 0, 7, DAYS, "day of week", problems, false);
      if (d.get(7)) {
        d.set(0);
        d.clear(7);
      }
      daysOfWeek = d;
    }
    years = quartz && f.length == 7 && !f[6].equals("*") ? yearField(f[6], problems) : null;
    domStar = dom.equals("*") || dom.equals("?");
    dowStar = dow.equals("*") || dow.equals("?");
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming every bad field
   */
  public static CronExpression parse(String text) {
    List<String> problems = new ArrayList<>();
    CronExpression cron = new CronExpression(text, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "not a cron expression: " + text + ": " + String.join("; ", problems));
    }
    return cron;
  }

  /** The first time after {@code after} (strictly) that matches; null when none within 5 years. */
  public ZonedDateTime next(ZonedDateTime after) {
    ZonedDateTime t = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    ZonedDateTime limit = after.plusYears(5);
    while (t.isBefore(limit)) {
      if (years != null && !years.get(t.getYear() - 1970)) {
        t = t.plusYears(1).withDayOfYear(1).truncatedTo(ChronoUnit.DAYS);
        continue;
      }
      if (!months.get(t.getMonthValue())) {
        t = t.plusMonths(1).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
        continue;
      }
      if (!dayMatches(t)) {
        t = t.plusDays(1).truncatedTo(ChronoUnit.DAYS);
        continue;
      }
      if (!hours.get(t.getHour())) {
        t = t.plusHours(1).truncatedTo(ChronoUnit.HOURS);
        continue;
      }
      if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1).truncatedTo(ChronoUnit.MINUTES);
        continue;
      }
      if (!seconds.get(t.getSecond())) {
        t = t.plusSeconds(1);
        continue;
      }
      return t;
    }
    return null;
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
    if (domStar && dowStar) {
      return true;
    }
    if (domStar) {
      return dow;
    }
    if (dowStar) {
      return dom;
    }
    return dom || dow;
  }

  @Override
  public String toString() {
    return text;
  }

  private static Map<String, Integer> quartzDays() {
    Map<String, Integer> m = new java.util.HashMap<>();
    DAYS.forEach((k, v) -> m.put(k, v + 1));
    return m;
  }

  private static BitSet bits(int... values) {
    BitSet b = new BitSet();
    for (int v : values) {
      b.set(v);
    }
    return b;
  }

  private static BitSet yearField(String text, List<String> problems) {
    BitSet b = field(text, 1970, 2199, Map.of(), "year", problems, false);
    BitSet shifted = new BitSet();
    b.stream().forEach(y -> shifted.set(y - 1970));
    return shifted;
  }

  private static BitSet field(
      String text,
      int min,
      int max,
      Map<String, Integer> names,
      String what,
      List<String> problems,
      boolean questionOk) {
    BitSet out = new BitSet();
    if (text.equals("?")) {
      if (!questionOk) {
        problems.add(what + ": ? is only for Quartz day fields");
      }
      out.set(min, max + 1);
      return out;
    }
    for (String part : text.split(",")) {
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        Integer s = number(part.substring(slash + 1), Map.of());
        if (s == null || s < 1) {
          problems.add(what + ": bad step in " + part);
          continue;
        }
        step = s;
      }
      int lo;
      int hi;
      if (range.equals("*")) {
        lo = min;
        hi = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", 2);
        Integer a = number(ends[0], names);
        Integer b = number(ends[1], names);
        if (a == null || b == null) {
          problems.add(what + ": not a range: " + range);
          continue;
        }
        lo = a;
        hi = b;
      } else {
        Integer v = number(range, names);
        if (v == null) {
          problems.add(
              what
                  + ": not a value: "
                  + range
                  + (range.matches(".*[LW#].*") ? " (L, W and # are not supported)" : ""));
          continue;
        }
        lo = v;
        hi = slash >= 0 ? max : v;
      }
      if (lo < min || hi > max || lo > hi) {
        problems.add(what + ": " + part + " is outside " + min + "-" + max);
        continue;
      }
      for (int v = lo; v <= hi; v += step) {
        out.set(v);
      }
    }
    return out;
  }

  private static Integer number(String text, Map<String, Integer> names) {
    if (names.containsKey(text)) {
      return names.get(text);
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
