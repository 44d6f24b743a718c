package io.valentia.eventbus.security;

import java.util.Locale;

/**
 * The Kafka principals of Valentia: one per service role, and the platform's own (a super user,
 * which runs the embedded broker, creates the topics and grants the others their ACLs).
 */
public enum KafkaRole {
  /** The platform itself: the broker's own links, topic provisioning, a process of many roles. */
  ADMIN,
  PROBES,
  CHAOS,
  POSTMORTEM,
  NOTIFICATIONS,
  WEB;

  /** The SCRAM user name: {@code valentia-admin}, {@code valentia-probes}, ... */
  public String principal() {
    return "valentia-" + name().toLowerCase(Locale.ROOT);
  }

  /** {@code User:valentia-...}, as ACLs name it. */
  public String aclPrincipal() {
    return "User:" + principal();
  }

  /**
   * The principal of a process that runs {@code roles}: the role's own when it runs exactly one
   * service role, else the platform's (roles that share one JVM share its memory, so one principal
   * cannot be kept from the others' credentials anyway).
   */
  public static KafkaRole forProcess(java.util.Collection<String> roles) {
    if (roles.size() == 1) {
      String only = roles.iterator().next().toUpperCase(Locale.ROOT);
      for (KafkaRole role : values()) {
        if (role != ADMIN && role.name().equals(only)) {
          return role;
        }
      }
    }
    return ADMIN;
  }

  /** The role named {@code name} ({@code chaos}, {@code web}, ...), case-insensitive. */
  public static KafkaRole of(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT));
  }
}
