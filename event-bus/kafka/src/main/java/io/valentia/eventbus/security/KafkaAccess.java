package io.valentia.eventbus.security;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on Valentia's Kafka, as ACLs for Kafka's {@code StandardAuthorizer}. The platform
 * principal ({@link KafkaRole#ADMIN}) is a super user; every other principal may:
 *
 * <ul>
 *   <li>read and describe every {@code valentia.*} topic, and use any consumer group;
 *   <li>write {@code valentia.events}, {@code valentia.deadletter} and the two state topics every
 *       process keeps ({@code valentia.state.health}, {@code valentia.state.migrations});
 *   <li>write what its role owns, and nothing else: {@code valentia.control} only for {@code chaos}
 *       and {@code web}; a state topic only for its owner (see {@link #OWNED}).
 * </ul>
 *
 * Anonymous clients get nothing ({@code allow.everyone.if.no.acl.found=false}). An external
 * cluster's operator grants the same ACLs (see the threat model).
 */
public final class KafkaAccess {
  /** The topics (and prefixes, ending in {@code -}) each role writes besides the common ones. */
  public static final Map<KafkaRole, List<String>> OWNED =
      Map.of(
          KafkaRole.PROBES,
          List.of(Topics.STATE_LEASES),
          KafkaRole.CHAOS,
          List.of(Topics.CONTROL, Topics.STATE_FAULTS, Topics.STATE_SCHEDULES),
          KafkaRole.WEB,
          List.of(Topics.CONTROL, Topics.STATE_TOKENS, Topics.STATE_SESSIONS, Topics.STATE_MUTES),
          KafkaRole.POSTMORTEM,
          List.of(Topics.POSTMORTEMS, Topics.STATE_POSTMORTEMS, Topics.STATE_INCIDENTS),
          KafkaRole.NOTIFICATIONS,
          List.of(
              Topics.NOTIFICATIONS,
              Topics.STATE_OUTBOX,
              Topics.STATE_NOTIFICATION_GROUPS,
              Topics.STATE_SILENCES));

  /** What every role writes. */
  public static final List<String> COMMON_WRITES =
      List.of(Topics.EVENTS, Topics.DEADLETTER, Topics.STATE_HEALTH, Topics.STATE_MIGRATIONS);

  /**
   * The prefix of Kafka Streams' internal topics and transactional ids of the postmortem role's
   * incident detection ({@code valentia-incidents-...}); Valentia's own topics start with {@code
   * valentia.} instead.
   */
  static final String STREAMS_PREFIX = "valentia-";

  private static final int ITERATIONS = 8192;

  private KafkaAccess() {}

  /** Every ACL the embedded broker holds. */
  public static List<AclBinding> acls() {
    List<AclBinding> acls = new ArrayList<>();
    for (KafkaRole role : KafkaRole.values()) {
      if (role == KafkaRole.ADMIN) {
        continue;
      }
      String who = role.aclPrincipal();
      for (AclOperation op :
          List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)) {
        acls.add(allow(who, ResourceType.TOPIC, "valentia.", PatternType.PREFIXED, op));
      }
      acls.add(allow(who, ResourceType.GROUP, "*", PatternType.LITERAL, AclOperation.READ));
      acls.add(allow(who, ResourceType.GROUP, "*", PatternType.LITERAL, AclOperation.DESCRIBE));
      acls.add(
          allow(
              who,
              ResourceType.CLUSTER,
              "kafka-cluster",
              PatternType.LITERAL,
              AclOperation.IDEMPOTENT_WRITE));
      List<String> writes = new ArrayList<>(COMMON_WRITES);
      writes.addAll(OWNED.getOrDefault(role, List.of()));
      for (String topic : writes) {
        acls.add(allow(who, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
      }
      if (role == KafkaRole.POSTMORTEM) {
        // Kafka Streams (exactly once): its internal topics and its transactions
        acls.add(
            allow(who, ResourceType.TOPIC, STREAMS_PREFIX, PatternType.PREFIXED, AclOperation.ALL));
        for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
          acls.add(
              allow(who, ResourceType.TRANSACTIONAL_ID, STREAMS_PREFIX, PatternType.PREFIXED, op));
        }
      }
    }
    return acls;
  }

  /**
   * Makes sure every principal of {@code credentials} exists with its password and every ACL of
   * {@link #acls()} is granted; idempotent. {@code admin} must be a super user.
   *
   * @throws ValentiaException when Kafka refuses or does not answer within 30 s
   */
  public static void apply(Admin admin, KafkaCredentials credentials) {
    List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> users = new ArrayList<>();
    for (KafkaRole role : KafkaRole.values()) {
      users.add(
          new UserScramCredentialUpsertion(
              role.principal(),
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS),
              credentials.password(role)));
    }
    try {
      admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
      admin.createAcls(acls()).all().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ValentiaException("interrupted while granting Kafka ACLs", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ValentiaException(
          "could not set Kafka users and ACLs: " + cause.getMessage(), cause);
    }
  }

  private static AclBinding allow(
      String principal, ResourceType type, String name, PatternType pattern, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }
}
