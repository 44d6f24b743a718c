package io.valentia.app.config;

import io.valentia.web.gateway.Upstreams;
import io.valentia.web.stream.EventStreams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration for {@code valentia up --print-config}: one line per setting with its
 * key, its value and where the value came from; secrets among {@code kafka.properties} are masked.
 */
final class ConfigDescription {
  private ConfigDescription() {}

  static List<String> lines(ValentiaConfig config, ConfigSources sources) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("data", config.dataDir());
    values.put("roles", config.roles());
    values.put("replica", config.replica().orElse("(none)"));
    values.put("http.host", config.http().host());
    values.put("http.port", config.http().port());
    EventStreams.Limits limits = EventStreams.Limits.of(sources.tree().path("http.streams"));
    values.put(
        "http.streams",
        "max " + limits.maxStreams() + ", per-principal " + limits.maxPerPrincipal());
    values.put("http.upstreams", Upstreams.of(config.section("http").path("upstreams")).byRole());
    values.put(
        "kafka.bootstrap",
        config.kafka().embedded() ? "(none: the embedded broker)" : config.kafka().bootstrap());
    values.put("kafka.port", config.kafka().port());
    values.put("kafka.host", config.kafka().host());
    values.put(
        "kafka.advertised",
        config.kafka().advertised() == null ? "(the bind address)" : config.kafka().advertised());
    values.put("kafka.min-insync-replicas", config.kafka().minInsyncReplicas());
    values.put("kafka.replication", config.kafka().replication());
    values.put("kafka.compression", config.kafka().compression());
    values.put("kafka.partitions", config.kafka().settings("unused:9092").partitions().toString());
    Map<String, String> properties = new LinkedHashMap<>();
    config
        .kafka()
        .properties()
        .forEach(
            (k, v) ->
                properties.put(
                    k, k.matches("(?i).*(password|secret|jaas|token).*") ? "******" : v));
    values.put("kafka.properties", properties);
    values.put("metrics.host", config.metrics().host());
    values.put("metrics.port", config.metrics().port());
    config
        .sections()
        .forEach(
            (name, section) -> {
              if (!name.equals("http")) {
                values.put(name, section.toString());
              }
            });
    int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
    List<String> lines = new ArrayList<>();
    values.forEach(
        (key, value) ->
            lines.add(
                String.format("%-" + width + "s  %s  (%s)", key, value, sources.source(key))));
    return lines;
  }
}
