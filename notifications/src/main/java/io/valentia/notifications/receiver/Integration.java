package io.valentia.notifications.receiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One integration of a receiver (one entry of its {@code slack_configs}, {@code
 * mattermost_configs}, {@code discord_configs} or {@code webhook_configs}): where a notification is
 * sent, and the request it becomes there. Immutable and thread-safe.
 */
public final class Integration {
  /** The header that carries the notification's stable id on every request. */
  public static final String NOTIFICATION_ID_HEADER = "X-Valentia-Notification-Id";

  /** The idempotency key header (IETF draft) sent to generic webhooks. */
  public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  /** Unix seconds of a signed webhook request. */
  public static final String TIMESTAMP_HEADER = "X-Valentia-Timestamp";

  /** {@code sha256=HEX}: HMAC-SHA256 of {@code TIMESTAMP.BODY} with the webhook's secret. */
  public static final String SIGNATURE_HEADER = "X-Valentia-Signature";

  /** How long one request may take when the configuration does not say. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** The kinds of integration, named as in the configuration. */
  public enum Kind {
    SLACK,
    MATTERMOST,
    DISCORD,
    WEBHOOK;

    /** {@code slack}, {@code mattermost}, {@code discord}, {@code webhook}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code key}, if there is one. */
    public static Optional<Kind> of(String key) {
      for (Kind k : values()) {
        if (k.key().equals(key)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * A request to send.
   *
   * @param url where to POST
   * @param headers the headers beside {@code Content-Type: application/json}
   * @param body the JSON body
   */
  public record Request(URI url, Map<String, String> headers, byte[] body) {
    public Request {
      headers = Map.copyOf(headers);
    }

    /** The body as text. */
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final String id;
  private final String receiver;
  private final Kind kind;
  private final URI url;
  private final boolean sendResolved;
  private final Duration timeout;
  private final Object config;

  private Integration(
      String receiver,
      Kind kind,
      int index,
      URI url,
      boolean sendResolved,
      Duration timeout,
      Object config) {
    this.receiver = Objects.requireNonNull(receiver, "receiver");
    this.kind = kind;
    this.id = id(receiver, kind, index);
    this.url = Objects.requireNonNull(url, "url");
    this.sendResolved = sendResolved;
    this.timeout = timeout == null || timeout.isZero() ? DEFAULT_TIMEOUT : timeout;
    this.config = config;
  }

  /** {@code RECEIVER/KIND/INDEX}, e.g. {@code pager/webhook/0}. */
  public static String id(String receiver, Kind kind, int index) {
    return receiver + "/" + kind.key() + "/" + index;
  }

  /** The integrations of {@code receiver}, in the order of its configuration. */
  public static List<Integration> of(ReceiverConfig receiver) {
    List<Integration> out = new ArrayList<>();
    String name = receiver.name();
    for (int i = 0; i < receiver.slack().size(); i++) {
      ReceiverConfig.Slack c = receiver.slack().get(i);
      out.add(new Integration(name, Kind.SLACK, i, c.apiUrl(), c.sendResolved(), null, c));
    }
    for (int i = 0; i < receiver.mattermost().size(); i++) {
      ReceiverConfig.Mattermost c = receiver.mattermost().get(i);
      out.add(new Integration(name, Kind.MATTERMOST, i, c.webhookUrl(), c.sendResolved(), null, c));
    }
    for (int i = 0; i < receiver.discord().size(); i++) {
      ReceiverConfig.Discord c = receiver.discord().get(i);
      out.add(new Integration(name, Kind.DISCORD, i, c.webhookUrl(), c.sendResolved(), null, c));
    }
    for (int i = 0; i < receiver.webhooks().size(); i++) {
      ReceiverConfig.Webhook c = receiver.webhooks().get(i);
      out.add(new Integration(name, Kind.WEBHOOK, i, c.url(), c.sendResolved(), c.timeout(), c));
    }
    return out;
  }

  public String id() {
    return id;
  }

  public String receiver() {
    return receiver;
  }

  public Kind kind() {
    return kind;
  }

  public URI url() {
    return url;
  }

  public boolean sendResolved() {
    return sendResolved;
  }

  /** How long one request may take. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * What this integration is sent of {@code n}: all its alerts with {@code send_resolved}, else its
   * firing ones only; empty when that leaves no firing alert to tell of (Alertmanager sends nothing
   * then).
   */
  public Optional<Notification> view(Notification n) {
    if (sendResolved) {
      return n.alerts().isEmpty() ? Optional.empty() : Optional.of(n);
    }
    List<io.valentia.notifications.alert.Alert> firing = n.firing();
    if (firing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Notification(
            n.id(), n.receiver(), n.groupKey(), n.groupLabels(), firing, n.createdAt()));
  }

  /** The message body {@code n} becomes here (before {@link #view} filtering). */
  public ObjectNode message(Notification n, URI externalUrl) {
    return switch (kind) {
      case SLACK -> SlackMessage.render((ReceiverConfig.Slack) config, n, externalUrl);
      case MATTERMOST ->
          MattermostMessage.render((ReceiverConfig.Mattermost) config, n, externalUrl);
      case DISCORD -> DiscordMessage.render((ReceiverConfig.Discord) config, n, externalUrl);
      case WEBHOOK -> WebhookMessage.render((ReceiverConfig.Webhook) config, n, externalUrl);
    };
  }

  /**
   * The request that tells this integration of {@code n}; empty when nothing is to be sent (see
   * {@link #view}). The body is the same on every call for the same notification, so a retried
   * request repeats the first byte for byte; a signed webhook request is signed at {@code now}.
   */
  public Optional<Request> request(Notification n, URI externalUrl, Instant now) {
    Optional<Notification> view = view(n);
    if (view.isEmpty()) {
      return Optional.empty();
    }
    byte[] body;
    try {
      body = EventCodec.MAPPER.writeValueAsBytes(message(view.get(), externalUrl));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(NOTIFICATION_ID_HEADER, n.id());
    if (kind == Kind.WEBHOOK) {
      headers.put(IDEMPOTENCY_KEY_HEADER, n.id());
      String secret = ((ReceiverConfig.Webhook) config).hmacSecret();
      if (secret != null && !secret.isEmpty()) {
        String timestamp = Long.toString(now.getEpochSecond());
        headers.put(TIMESTAMP_HEADER, timestamp);
        headers.put(SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, body));
      }
    }
    return Optional.of(new Request(url, headers, body));
  }

  /**
   * Why a 2xx answer still is a refusal, or empty when it is an acceptance. A Slack incoming
   * webhook answers {@code ok} in plain text, or JSON with {@code "ok": true}; anything else is an
   * error Slack will repeat (Alertmanager treats it as not worth retrying). Other kinds accept
   * every 2xx.
   */
  public Optional<String> refusal(String contentType, String body) {
    if (kind != Kind.SLACK) {
      return Optional.empty();
    }
    String text = body == null ? "" : body.trim();
    if (contentType != null && contentType.startsWith("application/json")) {
      try {
        JsonNode json = EventCodec.MAPPER.readTree(text);
        if (json.path("ok").asBoolean(false)) {
          return Optional.empty();
        }
        return Optional.of("error response from Slack: " + json.path("error").asText(text));
      } catch (JsonProcessingException e) {
        return Optional.of("unreadable JSON response from Slack: " + text);
      }
    }
    return "ok".equals(text)
        ? Optional.empty()
        : Optional.of("received an error response from Slack: " + text);
  }

  @Override
  public String toString() {
    return id;
  }
}
