package io.valentia.notifications.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.service.Role;
import io.valentia.notifications.api.Roles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  private static final List<String> ROLES = Role.names();
  private static final Field<String> SIGNING_SECRET =
      Field.text("signing_secret").withDescription("the Slack app's signing secret");
  private static final Field<String> SIGNING_SECRET_ENV =
      Field.text("signing_secret_env")
          .withDescription("the environment variable holding the signing secret");
  private static final Field<JsonNode> USERS =
      Field.node("users").withDescription("Slack user id -> Valentia role");
  private static final Field<String> DEFAULT_ROLE =
      Field.text("default_role")
          .withDefault("viewer")
          .validateAll(ROLES::contains, node -> "not a role " + ROLES)
          .withDescription("the role of users not listed");
  private static final List<Field<?>> FIELDS =
      List.of(SIGNING_SECRET, SIGNING_SECRET_ENV, USERS, DEFAULT_ROLE);

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
    ConfigSection section = ConfigSection.of(node, "slack", key -> null);
    SlackCommandsConfig config = read(section, environment);
    problems.addAll(section.problemLines());
    return config;
  }

  private static SlackCommandsConfig read(ConfigSection section, Map<String, String> environment) {
    if (section.isAbsent() || !section.isMapping("must be a mapping")) {
      return none();
    }
    section.checkKeys(FIELDS, (key, known) -> "not supported (known: " + known + ")");
    String secret = section.get(SIGNING_SECRET);
    String name = section.get(SIGNING_SECRET_ENV);
    if (name != null) {
      secret = environment.get(name);
      if (secret == null || secret.isEmpty()) {
        section.problem(SIGNING_SECRET_ENV.name(), "the environment has no " + name);
      }
    }
    Map<String, String> users = new LinkedHashMap<>();
    ConfigSection list = section.section(USERS.name());
    if (!list.node().isMissingNode() && !list.node().isObject()) {
      list.problem("", "must map Slack user ids to roles");
    } else {
      list.node()
          .fields()
          .forEachRemaining(
              e -> {
                String role = e.getValue().asText();
                if (!ROLES.contains(role)) {
                  list.problem(e.getKey(), "not a role " + ROLES);
                } else {
                  users.put(e.getKey(), role);
                }
              });
    }
    String defaultRole = section.get(DEFAULT_ROLE);
    if (Roles.atLeast(defaultRole, "responder")) {
      section.problem(
          DEFAULT_ROLE.name(),
          defaultRole
              + " would let every member of the workspace change things; give roles per user");
    }
    return new SlackCommandsConfig(secret, Map.copyOf(users), defaultRole);
  }
}
