package io.valentia.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Severity;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("TailCommand's type filter and line format")
class TailCommandTest {
  private static final Instant T0 = Instant.parse("2025-03-14T09:26:53Z");

  @Nested
  @DisplayName("Type globs")
  class Globs {

    @Test
    @DisplayName("io.valentia.probe.* matches every probe type and nothing else.")
    void prefixGlob() {
      Pattern filter = TailCommand.globs(List.of("io.valentia.probe.*"));

      assertThat(matches(filter, "io.valentia.probe.mtu.ping.v1")).isTrue();
      assertThat(matches(filter, "io.valentia.probe.")).isTrue();
      assertThat(matches(filter, "io.valentia.lease.granted.v1")).isFalse();
      assertThat(matches(filter, "xio.valentia.probe.a")).isFalse();
      assertThat(matches(filter, "io.valentia.probe")).isFalse();
    }

    @Test
    @DisplayName("Dots in a glob are literal dots, not any character.")
    void dotsAreLiteral() {
      Pattern filter = TailCommand.globs(List.of("io.valentia.probe.*"));

      assertThat(matches(filter, "ioXvalentia.probe.mtu.ping.v1")).isFalse();
      assertThat(matches(filter, "io.valentiaXprobe.mtu.ping.v1")).isFalse();
    }

    @Test
    @DisplayName("A glob without * matches only that exact type.")
    void exactType() {
      Pattern filter = TailCommand.globs(List.of("io.valentia.lease.granted.v1"));

      assertThat(matches(filter, "io.valentia.lease.granted.v1")).isTrue();
      assertThat(matches(filter, "io.valentia.lease.granted.v10")).isFalse();
      assertThat(matches(filter, "io.valentia.lease.granted")).isFalse();
    }

    @Test
    @DisplayName("A * in the middle of a glob matches any run of characters there.")
    void starInTheMiddle() {
      Pattern filter = TailCommand.globs(List.of("io.valentia.*.v1"));

      assertThat(matches(filter, "io.valentia.probe.mtu.ping.v1")).isTrue();
      assertThat(matches(filter, "io.valentia.lease.granted.v1")).isTrue();
      assertThat(matches(filter, "io.valentia.lease.granted.v2")).isFalse();
    }

    @Test
    @DisplayName("Several globs match a type that any one of them matches.")
    void severalGlobsOrTogether() {
      Pattern filter =
          TailCommand.globs(List.of("io.valentia.probe.*", "io.valentia.lease.granted.v1"));

      assertThat(matches(filter, "io.valentia.probe.mtu.ping.v1")).isTrue();
      assertThat(matches(filter, "io.valentia.lease.granted.v1")).isTrue();
      assertThat(matches(filter, "io.valentia.lease.revoked.v1")).isFalse();
      assertThat(matches(filter, "io.valentia.probe.mtu.ping.v1io.valentia.lease.granted.v1"))
          .isTrue(); // the first glob's * takes the rest
      assertThat(matches(filter, "xio.valentia.lease.granted.v1")).isFalse();
    }

    @Test
    @DisplayName("No globs at all match every type.")
    void emptyMatchesAll() {
      Pattern filter = TailCommand.globs(List.of());

      assertThat(matches(filter, "io.valentia.probe.mtu.ping.v1")).isTrue();
      assertThat(matches(filter, "com.example.deploy.v1")).isTrue();
    }

    @Test
    @DisplayName("Regular-expression characters in a glob are taken literally.")
    void regexCharactersAreLiteral() {
      Pattern filter = TailCommand.globs(List.of("com.example+(a|b)\\E[x]*"));

      assertThat(matches(filter, "com.example+(a|b)\\E[x].v1")).isTrue();
      assertThat(matches(filter, "com.exampleee(a")).isFalse();
      assertThat(matches(filter, "b)\\E[x]")).isFalse();
    }

    private static boolean matches(Pattern filter, String type) {
      return filter.matcher(type).matches();
    }
  }

  @Nested
  @DisplayName("Lines")
  class Lines {

    @Test
    @DisplayName("A line is TIME SEVERITY TYPE SUBJECT DATA, with the severity padded to 8.")
    void fullLine() {
      ObjectNode data = JsonNodeFactory.instance.objectNode().put("peer", "osd-7").put("ok", true);
      CloudEvent event =
          CloudEvent.builder("io.valentia.probe.mtu.ping.v1")
              .source("/t")
              .subject("s")
              .time(T0)
              .severity(Severity.WARNING)
              .data(data)
              .build();

      assertThat(TailCommand.line(event))
          .isEqualTo(
              "2025-03-14T09:26:53Z warning  io.valentia.probe.mtu.ping.v1 s"
                  + " {\"peer\":\"osd-7\",\"ok\":true}");
    }

    @Test
    @DisplayName("An event without a severity reads as info, and fractions of seconds are kept.")
    void defaultSeverity() {
      CloudEvent event =
          CloudEvent.builder("com.example.deploy.v1")
              .source("/t")
              .subject("s")
              .time(Instant.parse("2025-03-14T09:26:53.589793Z"))
              .data(JsonNodeFactory.instance.numberNode(42))
              .build();

      assertThat(TailCommand.line(event))
          .isEqualTo("2025-03-14T09:26:53.589793Z info     com.example.deploy.v1 s 42");
    }

    @Test
    @DisplayName("critical fills the severity column with one space after it.")
    void critical() {
      CloudEvent event =
          CloudEvent.builder("com.example.deploy.v1")
              .source("/t")
              .subject("s")
              .time(T0)
              .severity(Severity.CRITICAL)
              .data(JsonNodeFactory.instance.textNode("x"))
              .build();

      assertThat(TailCommand.line(event))
          .isEqualTo("2025-03-14T09:26:53Z critical com.example.deploy.v1 s \"x\"");
    }

    @Test
    @DisplayName("A missing time and subject print as -, and missing data as nothing.")
    void missingParts() {
      CloudEvent event =
          CloudEvent.builder("com.example.deploy.v1").source("/t").time(null).build();

      assertThat(TailCommand.line(event).stripTrailing())
          .isEqualTo("- info     com.example.deploy.v1 -");
    }
  }
}
