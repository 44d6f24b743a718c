package io.valentia.notifications.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.UncheckedIOException;

/**
 * Test configurations written as the YAML a team pastes into the {@code notifications:} section.
 */
public final class Yaml {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Yaml() {}

  public static JsonNode tree(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static NotificationsConfig config(String yaml) {
    return NotificationsConfig.parse(tree(yaml));
  }

  /** The example of FORMATS.md ("Slack-style messages"), as a team would paste it. */
  public static final String FORMATS_EXAMPLE =
      """
      route:
        receiver: storage-oncall
        group_by: [incident]
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 4h
        routes:
          - matchers: ['severity="critical"']
            receiver: pager
            continue: true
          - matchers: ['type=~"io.valentia.chaos.*"']
            receiver: chaos-channel
      inhibit_rules:
        - source_matchers: ['severity="critical"']
          target_matchers: ['severity="warning"']
          equal: [host]
      receivers:
        - name: storage-oncall
          slack_configs: [{api_url: "https://hooks.example/services/T000/B000/XXX", channel: "#storage"}]
        - name: pager
          webhook_configs: [{url: "http://pager.example:9095/alert", send_resolved: true}]
        - name: chaos-channel
          slack_configs: [{api_url: "https://hooks.example/services/T000/B111/YYY"}]
      """;
}
