package io.valentia.notifications.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.notifications.config.NotificationsConfig;
import io.valentia.notifications.route.Matcher;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The parsers that read what comes from outside (Alertmanager's webhooks, Slack's form bodies,
 * matchers typed by people, the configuration) never fail with anything but their own refusal,
 * whatever they are given. A short run here; the benchmark run takes many more tries.
 */
class InboundParsersTest {

  @Property(tries = 2000)
  @Label("An Alertmanager payload of any JSON shape gives events or problems, never an exception")
  void alertmanagerPayloads(@ForAll("json") JsonNode body) {
    List<String> problems = new ArrayList<>();
    List<CloudEvent> events = AlertmanagerWebhook.events(body, problems);
    if (problems.isEmpty()) {
      assertThat(events).hasSize(body.path("alerts").size());
      for (CloudEvent event : events) {
        EventCodec.instance().decode(EventCodec.instance().encode(event));
      }
    }
  }

  @Property(tries = 2000)
  @Label("A well-formed Alertmanager payload gives one valid event per alert")
  void wellFormedAlertmanagerPayloads(@ForAll("payloads") JsonNode body) {
    List<String> problems = new ArrayList<>();
    List<CloudEvent> events = AlertmanagerWebhook.events(body, problems);
    assertThat(problems).isEmpty();
    assertThat(events).hasSize(body.path("alerts").size());
    events.forEach(e -> EventCodec.instance().decode(EventCodec.instance().encode(e)));
  }

  @Example
  @Label("A Slack form body is decoded as Slack encodes it: '+' and %-escapes, the first of a key")
  void slackFormDecoding() {
    assertThat(
            SlackCommands.form(
                "token=x&team_id=T1&user_id=U2&user_name=ann&text=halt+game%20day%21&text=again"))
        .containsEntry("user_id", "U2")
        .containsEntry("user_name", "ann")
        .containsEntry("text", "halt game day!");
  }

  @Property(tries = 3000)
  @Label("A Slack form body of any text is read or refused, never an exception")
  void slackForms(@ForAll("text") String body) {
    try {
      SlackCommands.form(body);
    } catch (IllegalArgumentException refused) {
      // a malformed %-escape: the handler answers 400
    }
  }

  @Property(tries = 3000)
  @Label("A matcher of any text parses or is refused; what parses prints as text that parses back")
  void matchers(@ForAll("text") String text) {
    Matcher m;
    try {
      m = Matcher.parse(text);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(Matcher.parse(m.toString())).isEqualTo(m);
  }

  @Property(tries = 1000)
  @Label("A configuration section of any JSON shape is read or refused with its problems")
  void configurations(@ForAll("json") JsonNode section) {
    assertThatCode(
            () -> {
              try {
                NotificationsConfig.parse(section);
              } catch (ConfigException refused) {
                assertThat(refused.problems()).isNotEmpty();
              }
            })
        .doesNotThrowAnyException();
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(60),
        Arbitraries.strings().withChars("=!~\"\\%&+a-z0-9{},. ").ofMaxLength(40),
        Arbitraries.of(
            "severity=\"critical\"",
            "a=~\"(\"",
            "x!~\"[a-\"",
            "text=%ZZ&user_id=U1",
            "{a=\"1\", b=~\"x\"}",
            "name=\"\\\"quoted\\\"\""));
  }

  @Provide
  Arbitrary<JsonNode> json() {
    return Arbitraries.recursive(this::scalar, this::container, 3);
  }

  private Arbitrary<JsonNode> scalar() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .ofMaxLength(12)
            .map(s -> EventCodec.MAPPER.getNodeFactory().textNode(s)),
        Arbitraries.of(
                "4", "firing", "resolved", "alerts", "route", "receiver", "0001-01-01T00:00:00Z")
            .map(s -> EventCodec.MAPPER.getNodeFactory().textNode(s)),
        Arbitraries.integers().map(i -> EventCodec.MAPPER.getNodeFactory().numberNode(i)),
        Arbitraries.of(true, false).map(b -> EventCodec.MAPPER.getNodeFactory().booleanNode(b)),
        Arbitraries.just(EventCodec.MAPPER.getNodeFactory().nullNode()));
  }

  private Arbitrary<JsonNode> container(Arbitrary<JsonNode> inner) {
    Arbitrary<String> keys =
        Arbitraries.oneOf(
            Arbitraries.of(
                "version",
                "alerts",
                "status",
                "labels",
                "annotations",
                "startsAt",
                "endsAt",
                "fingerprint",
                "receiver",
                "route",
                "receivers",
                "routes",
                "matchers",
                "group_by",
                "group_wait",
                "webhook_configs",
                "url",
                "name",
                "inhibit_rules"),
            Arbitraries.strings().alpha().ofMaxLength(6));
    Arbitrary<JsonNode> object =
        Arbitraries.maps(keys, inner)
            .ofMaxSize(5)
            .map(
                m -> {
                  ObjectNode o = EventCodec.MAPPER.createObjectNode();
                  m.forEach(o::set);
                  return (JsonNode) o;
                });
    Arbitrary<JsonNode> array =
        inner
            .list()
            .ofMaxSize(4)
            .map(
                l -> {
                  ArrayNode a = EventCodec.MAPPER.createArrayNode();
                  l.forEach(a::add);
                  return (JsonNode) a;
                });
    return Arbitraries.oneOf(object, array);
  }

  @Provide
  Arbitrary<JsonNode> payloads() {
    Arbitrary<String> values = Arbitraries.strings().ofMinLength(1).ofMaxLength(20);
    Arbitrary<ObjectNode> alert =
        Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8), values)
            .ofMinSize(1)
            .ofMaxSize(4)
            .flatMap(
                labels ->
                    Arbitraries.of("firing", "resolved")
                        .map(
                            status -> {
                              ObjectNode a = EventCodec.MAPPER.createObjectNode();
                              a.put("status", status);
                              ObjectNode l = a.putObject("labels");
                              labels.forEach(l::put);
                              a.putObject("annotations").put("summary", "s");
                              a.put("startsAt", "2026-12-07T09:00:00Z");
                              a.put(
                                  "endsAt",
                                  status.equals("firing")
                                      ? "0001-01-01T00:00:00Z"
                                      : "2026-12-07T09:05:00Z");
                              a.put("generatorURL", "http://prometheus.example/graph");
                              return a;
                            }));
    return alert
        .list()
        .ofMinSize(0)
        .ofMaxSize(5)
        .map(
            alerts -> {
              ObjectNode body = EventCodec.MAPPER.createObjectNode();
              body.put("version", "4").put("status", "firing").put("receiver", "valentia");
              ArrayNode list = body.putArray("alerts");
              alerts.forEach(list::add);
              return body;
            });
  }
}
