package io.valentia.notifications.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.service.Role;
import io.valentia.notifications.api.Roles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code notifications.slack}: the Slack slash command ({@code /valentia ...}). Off unless a
 * signing secret is configured: without one, {@code POST /api/v1/slack/commands} refuses every
 * request.
 *
 * <pre>
 * slack:
 *   signing_secret_env: SLACK_SIGNING_SECRET   # or signing_secret: "..." (the env form keeps it
 *                                              # out of the file)
 *   users:                                     # Slack user id -> Valentia role
 *     U012AB3CD: operator
 *   default_role: viewer                       # everyone else (the default)
 * </pre>
 *
 * @param signingSecret the app's signing secret; null when the command is off
 * @param users role by Slack user id
 * @param defaultRole the role of users not listed
 */
public record SlackCommandsConfig(
    String signingSecret, Map<String, String> users, String defaultRole) {
  private static final Set<String> KEYS =
      Set.of("signing_secret", "signing_secret_env", "users", "default_role");
  private static final List<String> ROLES = Role.names();

  /** Off. */
  public static SlackCommandsConfig none() {
    return new SlackCommandsConfig(null, Map.of(), "viewer");
  }

  /** Whether the command is configured. */
  public boolean enabled() {
    return signingSecret != null && !signingSecret.isEmpty();
  }

  /** The role of Slack user {@code userId}. */
  public String roleOf(String userId) {
    return users.getOrDefault(userId, defaultRole);
  }

  /**
   * Reads the section; adds every problem to {@code problems} (keys relative to {@code
   * notifications}).
   */
  public static SlackCommandsConfig parse(
      JsonNode node, Map<String, String> environment, List<String> problems) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return none();
    }
    if (!node.isObject()) {
      problems.add("slack: must be a mapping");
      return none();
    }
    node.fieldNames()
        .forEachRemaining(
            key -> {
              if (!KEYS.contains(key)) {
                problems.add("slack." + key + ": not supported (known: " + KEYS + ")");
              }
            });
    String secret = null;
    if (node.hasNonNull("signing_secret")) {
      secret = node.get("signing_secret").asText();
    }
    if (node.hasNonNull("signing_secret_env")) {
      String name = node.get("signing_secret_env").asText();
      secret = environment.get(name);
      if (secret == null || secret.isEmpty()) {
        problems.add("slack.signing_secret_env: the environment has no " + name);
      }
    }
    Map<String, String> users = new LinkedHashMap<>();
    JsonNode list = node.path("users");
    if (!list.isMissingNode() && !list.isObject()) {
      problems.add("slack.users: must map Slack user ids to roles");
    } else {
      list.fields()
          .forEachRemaining(
              e -> {
                String role = e.getValue().asText();
                if (!ROLES.contains(role)) {
                  problems.add("slack.users." + e.getKey() + ": not a role " + ROLES);
                } else {
                  users.put(e.getKey(), role);
                }
              });
    }
    String defaultRole = node.path("default_role").asText("viewer");
    if (!ROLES.contains(defaultRole)) {
      problems.add("slack.default_role: not a role " + ROLES);
      defaultRole = "viewer";
    }
    if (Roles.atLeast(defaultRole, "responder")) {
      problems.add(
          "slack.default_role: "
              + defaultRole
              + " would let every member of the workspace change things; give roles per user");
    }
    return new SlackCommandsConfig(secret, Map.copyOf(users), defaultRole);
  }
}
