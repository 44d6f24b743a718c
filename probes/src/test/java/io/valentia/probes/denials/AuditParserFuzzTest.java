package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the audit line parser (raw audit.log, kernel log, ENRICHED, {@code ausearch -i} and the
 * journal's forms): it never throws, ends within the per-input limit, and its own safety net (the
 * {@code unreadable: EXCEPTION} answer to an exception inside it) never fires. A short run; {@code
 * ParserFuzzBenchmark} in the bench module runs a million inputs.
 */
class AuditParserFuzzTest {
  static final List<String> SAMPLES =
      Fuzzing.lines(AuditParserFuzzTest.class, "/fuzz/audit-lines.txt");
  static final List<String> TOKENS =
      List.of(
          "type=",
          "msg=audit(",
          "audit(",
          "): ",
          " : ",
          "audit[",
          "]: ",
          "avc:  denied  { ",
          " } for ",
          "apparmor=",
          "arch=",
          "syscall=",
          "code=",
          "0x80000000",
          "c000003e",
          "pid=",
          "comm=",
          "exe=",
          "1741944413.589:",
          "03/14/25 09:26:53.589:",
          "Mar 14 09:26:53 ",
          "2025-03-14T10:26:53.589+0100 ",
          "\u001d",
          "kauditd_printk_skb: ",
          "UNKNOWN[",
          "errno(",
          "SECCOMP ",
          "AVC ");

  private final AuditLineParser parser = new AuditLineParser(ZoneOffset.UTC);

  @Property(tries = 500)
  @Label("An audit line, mutated from a real one or random, is read or reported, never thrown on")
  void auditLines(@ForAll("lines") String line) {
    Fuzzing.check(
        line,
        input -> {
          if (parser.parse(input) instanceof AuditLine.Unreadable u) {
            assertThat(u.reason())
                .as("the parser's safety net caught an exception")
                .doesNotStartWith("unreadable: ");
          }
        });
  }

  @Example
  @Label(
      "Found by fuzzing: an audit id whose serial does not fit in a long is reported as such, not"
          + " caught by the safety net")
  void serialOutOfRange() {
    AuditLine line =
        parser.parse(
            "type=PROCTITLE msg=audit(1741944413.589:9542585556661359792):"
                + " proctitle=2F6F70742F7672736572766572");
    assertThat(line).isInstanceOf(AuditLine.Unreadable.class);
    assertThat(((AuditLine.Unreadable) line).reason())
        .isEqualTo("audit id with a serial out of range: 1741944413.589:9542585556661359792");
    assertThat(parser.parse("type=EOE msg=audit(1741944413.589:9223372036854775807): "))
        .isNotInstanceOf(AuditLine.Unreadable.class);
  }

  @Provide
  Arbitrary<String> lines() {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(SAMPLES), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutate(sample, new Random(seed), TOKENS)),
        Arbitraries.longs()
            .map(
                seed ->
                    Mutator.randomText(
                        new Random(seed), "=\"' :(){}.,/0123456789abcdefx", TOKENS, 300)),
        Arbitraries.strings().ofMaxLength(200));
  }
}
