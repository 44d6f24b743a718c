package io.valentia.chaos.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A cron expression in the UNIX dialect (5 fields: minute hour day-of-month month day-of-week) or
 * the Quartz dialect (6 or 7 fields: second minute hour day-of-month month day-of-week [year], with
 * {@code ?} for "no specific value" and days of the week 1-7 from Sunday), parsed and evaluated by
 * cron-utils. Fields take {@code *}, numbers, names ({@code JAN}, {@code MON}, in any case), lists,
 * ranges and steps; {@code L}, {@code W} and {@code #} are not accepted. As in cron, when both day
 * of month and day of week are restricted a day matching either one fires (in both dialects: the
 * Quartz form is evaluated as the earlier firing of its day-of-month and its day-of-week half).
 * Immutable.
 */
public final class CronExpression {
  private static final List<String> UNIX_FIELDS =
      List.of("minute", "hour", "day of month", "month", "day of week");
  private static final List<String> QUARTZ_FIELDS =
      List.of("second", "minute", "hour", "day of month", "month", "day of week", "year");
  private static final int QUARTZ_DAY_OF_MONTH = 3;
  private static final int QUARTZ_DAY_OF_WEEK = 5;
  private static final String LIBRARY_PREFIX = "Failed to parse cron expression. ";

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /**
   * Quartz's fields without its L, W and # and without its rule that one day field be {@code ?}: a
   * schedule written {@code 0 0 12 * * *} fires every day at noon, as it always has here.
   */
  private static final CronDefinition QUARTZ_DEFINITION =
      CronDefinitionBuilder.defineCron()
          .withSeconds()
          .withStrictRange()
          .and()
          .withMinutes()
          .withStrictRange()
          .and()
          .withHours()
          .withStrictRange()
          .and()
          .withDayOfMonth()
          .supportsQuestionMark()
          .withStrictRange()
          .and()
          .withMonth()
          .withStrictRange()
          .and()
          .withDayOfWeek()
          .withValidRange(1, 7)
          .withMondayDoWValue(2)
          .supportsQuestionMark()
          .withStrictRange()
          .and()
          .withYear()
          .withValidRange(1970, 2199)
          .withStrictRange()
          .optional()
          .and()
          .instance();

  private static final CronParser QUARTZ = new CronParser(QUARTZ_DEFINITION);

  private final String text;

  /** What is evaluated; a firing is the earliest next time of any of them. */
  private final List<ExecutionTime> executions;

  private CronExpression(String text, List<ExecutionTime> executions) {
    this.text = text;
    this.executions = executions;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming every bad field
   */
  public static CronExpression parse(String text) {
    String[] fields = text.trim().toUpperCase(Locale.ROOT).split("\\s+");
    boolean quartz = fields.length == 6 || fields.length == 7;
    if (fields.length != 5 && !quartz) {
      throw invalid(
          text,
          List.of(
              "a cron expression has 5 fields (UNIX) or 6-7 fields (Quartz), found "
                  + fields.length));
    }
    CronParser parser = quartz ? QUARTZ : UNIX;
    List<String> names = quartz ? QUARTZ_FIELDS : UNIX_FIELDS;
    List<String> problems = fieldProblems(parser, names, fields);
    if (!problems.isEmpty()) {
      throw invalid(text, problems);
    }
    try {
      List<ExecutionTime> executions = new ArrayList<>();
      for (String[] variant : quartz ? quartzDays(fields) : List.<String[]>of(fields)) {
        executions.add(ExecutionTime.forCron(parser.parse(String.join(" ", variant))));
      }
      return new CronExpression(text, List.copyOf(executions));
    } catch (IllegalArgumentException e) {
      throw invalid(text, List.of(libraryMessage(e)));
    }
  }

  /** The first time after {@code after} (strictly) that matches; null when none within 5 years. */
  public ZonedDateTime next(ZonedDateTime after) {
    ZonedDateTime from = after.truncatedTo(ChronoUnit.SECONDS);
    ZonedDateTime limit = after.plusYears(5);
    return executions.stream()
        .flatMap(e -> e.nextExecution(from).stream())
        .filter(t -> t.isBefore(limit))
        .min(ZonedDateTime::compareTo)
        .orElse(null);
  }

  @Override
  public String toString() {
    return text;
  }

  /**
   * The Quartz expression as cron-utils evaluates it with cron's day rule: one day field free
   * ({@code ?}) when at most one is restricted, else a day-of-month half and a day-of-week half.
   */
  private static List<String[]> quartzDays(String[] fields) {
    boolean anyDay = free(fields[QUARTZ_DAY_OF_MONTH]);
    boolean anyWeekday = free(fields[QUARTZ_DAY_OF_WEEK]);
    if (anyDay && anyWeekday) {
      return List.<String[]>of(with(fields, "*", "?"));
    }
    if (anyDay || anyWeekday) {
      return List.<String[]>of(
          with(
              fields,
              anyDay ? "?" : fields[QUARTZ_DAY_OF_MONTH],
              anyWeekday ? "?" : fields[QUARTZ_DAY_OF_WEEK]));
    }
    return List.of(
        with(fields, fields[QUARTZ_DAY_OF_MONTH], "?"),
        with(fields, "?", fields[QUARTZ_DAY_OF_WEEK]));
  }

  private static boolean free(String field) {
    return field.equals("*") || field.equals("?");
  }

  private static String[] with(String[] fields, String dayOfMonth, String dayOfWeek) {
    String[] copy = Arrays.copyOf(fields, fields.length);
    copy[QUARTZ_DAY_OF_MONTH] = dayOfMonth;
    copy[QUARTZ_DAY_OF_WEEK] = dayOfWeek;
    return copy;
  }

  /** Each field that cron-utils refuses on its own (every other field {@code *}), with why. */
  private static List<String> fieldProblems(
      CronParser parser, List<String> names, String[] fields) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      String[] probe = new String[fields.length];
      Arrays.fill(probe, "*");
      probe[i] = fields[i];
      try {
        parser.parse(String.join(" ", probe));
      } catch (IllegalArgumentException e) {
        String field = fields[i];
        String hint =
            field.matches(".*[LW#].*")
                ? " (L, W and # are not supported)"
                : field.contains("?") ? " (? is only for Quartz day fields)" : "";
        problems.add(names.get(i) + ": " + field + ": " + libraryMessage(e) + hint);
      }
    }
    return problems;
  }

  private static String libraryMessage(IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    return message.startsWith(LIBRARY_PREFIX)
        ? message.substring(LIBRARY_PREFIX.length())
        : message;
  }

  private static IllegalArgumentException invalid(String text, List<String> problems) {
    return new IllegalArgumentException(
        "not a cron expression: " + text + ": " + String.join("; ", problems));
  }
}
