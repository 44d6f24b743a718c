package io.valentia.eventbus;

import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.payload.ChaosFault;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.ExperimentAborted;
import io.valentia.eventbus.payload.ExperimentCompleted;
import io.valentia.eventbus.payload.ExperimentDeviated;
import io.valentia.eventbus.payload.ExperimentRolledBack;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.valentia.eventbus.payload.ExperimentStarted;
import io.valentia.eventbus.payload.ExperimentStep;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.FrameStats;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.HealthMuted;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.eventbus.payload.IncidentResolved;
import io.valentia.eventbus.payload.IncidentUpdated;
import io.valentia.eventbus.payload.LeaseExpired;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.payload.NotificationDelivery;
import io.valentia.eventbus.payload.OsdPing;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.eventbus.payload.PrometheusAlert;
import io.valentia.eventbus.payload.SyscallDenied;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every event type Valentia defines: the CloudEvents {@code type} (which carries the schema
 * version), the payload record and the JSON Schema shipped in this jar under {@code
 * /schemas/<type>.json}.
 *
 * <p>Types outside the {@code io.valentia.} namespace are users' own and are not listed here; they
 * are accepted with any JSON {@code data}.
 */
public enum EventType {
  PROBE_MTU_PING("io.valentia.probe.mtu.ping.v1", MtuPing.class, Severity.INFO),
  PROBE_MTU_MISMATCH("io.valentia.probe.mtu.mismatch.v1", MtuMismatch.class, Severity.WARNING),
  PROBE_OSD_PING("io.valentia.probe.osd.ping.v1", OsdPing.class, Severity.INFO),
  PROBE_SYSCALL_DENIED(
      "io.valentia.probe.syscall.denied.v1", SyscallDenied.class, Severity.WARNING),
  PROBE_LSM_DENIED("io.valentia.probe.lsm.denied.v1", LsmDenied.class, Severity.WARNING),
  PROBE_FRAME_DROPPED("io.valentia.probe.frame.dropped.v1", FrameDropped.class, Severity.WARNING),
  PROBE_FRAME_STATS("io.valentia.probe.frame.stats.v1", FrameStats.class, Severity.INFO),
  LEASE_GRANTED("io.valentia.lease.granted.v1", LeaseGranted.class, Severity.INFO),
  LEASE_REVOKED("io.valentia.lease.revoked.v1", LeaseRevoked.class, Severity.WARNING),
  LEASE_EXPIRED("io.valentia.lease.expired.v1", LeaseExpired.class, Severity.WARNING),
  CHAOS_EXPERIMENT_SCHEDULED(
      "io.valentia.chaos.experiment.scheduled.v1", ExperimentScheduled.class, Severity.INFO),
  CHAOS_EXPERIMENT_STARTED(
      "io.valentia.chaos.experiment.started.v1", ExperimentStarted.class, Severity.INFO),
  CHAOS_EXPERIMENT_STEP(
      "io.valentia.chaos.experiment.step.v1", ExperimentStep.class, Severity.INFO),
  CHAOS_EXPERIMENT_DEVIATED(
      "io.valentia.chaos.experiment.deviated.v1", ExperimentDeviated.class, Severity.WARNING),
  CHAOS_EXPERIMENT_ABORTED(
      "io.valentia.chaos.experiment.aborted.v1", ExperimentAborted.class, Severity.WARNING),
  CHAOS_EXPERIMENT_COMPLETED(
      "io.valentia.chaos.experiment.completed.v1", ExperimentCompleted.class, Severity.INFO),
  CHAOS_EXPERIMENT_ROLLEDBACK(
      "io.valentia.chaos.experiment.rolledback.v1", ExperimentRolledBack.class, Severity.INFO),
  CHAOS_HALT("io.valentia.chaos.halt.v1", ChaosHalt.class, Severity.CRITICAL),
  CHAOS_FAULT("io.valentia.chaos.fault.v1", ChaosFault.class, Severity.INFO),
  HEALTH_CHANGED("io.valentia.health.changed.v1", HealthChanged.class, Severity.INFO),
  HEALTH_MUTED("io.valentia.health.muted.v1", HealthMuted.class, Severity.INFO),
  INCIDENT_OPENED("io.valentia.incident.opened.v1", IncidentOpened.class, Severity.CRITICAL),
  INCIDENT_UPDATED("io.valentia.incident.updated.v1", IncidentUpdated.class, Severity.INFO),
  INCIDENT_RESOLVED("io.valentia.incident.resolved.v1", IncidentResolved.class, Severity.INFO),
  POSTMORTEM_REVISED("io.valentia.postmortem.revised.v1", PostmortemRevised.class, Severity.INFO),
  ALERT("io.valentia.alert.v1", PrometheusAlert.class, Severity.WARNING),
  NOTIFICATION_DELIVERY(
      "io.valentia.notification.delivery.v1", NotificationDelivery.class, Severity.INFO),
  AUDIT("io.valentia.audit.v1", Audit.class, Severity.INFO);

  /** The namespace of Valentia's own types; everything else belongs to users. */
  public static final String NAMESPACE = "io.valentia.";

  private static final Map<String, EventType> BY_TYPE =
      Arrays.stream(values()).collect(Collectors.toMap(EventType::type, Function.identity()));

  private final String type;
  private final Class<? extends EventPayload> payloadClass;
  private final Severity defaultSeverity;

  EventType(String type, Class<? extends EventPayload> payloadClass, Severity defaultSeverity) {
    this.type = type;
    this.payloadClass = payloadClass;
    this.defaultSeverity = defaultSeverity;
  }

  /** The CloudEvents {@code type}, e.g. {@code io.valentia.probe.mtu.ping.v1}. */
  public String type() {
    return type;
  }

  public Class<? extends EventPayload> payloadClass() {
    return payloadClass;
  }

  /** The severity an event of this type gets when its producer does not say. */
  public Severity defaultSeverity() {
    return defaultSeverity;
  }

  /** The classpath resource of this type's JSON Schema. */
  public String schemaResource() {
    return "/schemas/" + type + ".json";
  }

  /** The Valentia type with this CloudEvents {@code type}, if it is one. */
  public static Optional<EventType> of(String type) {
    return Optional.ofNullable(BY_TYPE.get(type));
  }

  /** Whether {@code type} is in Valentia's namespace (known or not). */
  public static boolean isValentiaNamespace(String type) {
    return type.startsWith(NAMESPACE);
  }
}
