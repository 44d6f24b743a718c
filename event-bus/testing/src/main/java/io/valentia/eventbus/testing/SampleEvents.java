package io.valentia.eventbus.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.payload.ChaosFault;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.Container;
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
import io.valentia.eventbus.payload.Lessee;
import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.payload.NotificationDelivery;
import io.valentia.eventbus.payload.OsdPing;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.eventbus.payload.PrometheusAlert;
import io.valentia.eventbus.payload.SectionChange;
import io.valentia.eventbus.payload.SyscallDenied;
import java.time.Instant;
import java.util.List;

/**
 * A realistic payload of every Valentia event type, for tests in every module.
 *
 * <p>Over 400 lines on purpose: it is data more than code, one sample per event type side by side,
 * so that a new type gets its sample in the same place as every other.
 */
public final class SampleEvents {
  private SampleEvents() {}

  private static final Instant T0 = Instant.parse("2025-03-14T09:26:53.589793Z");
  private static final String EVIDENCE_1 = "01959b6c-7a3e-7c01-9d2f-3b1a4c5d6e7f";
  private static final String EVIDENCE_2 = "01959b6c-7a3f-7c02-8e3a-4c2b5d6e7f80";
  private static final Container CONTAINER =
      new Container(
          "3f1c9a0b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
          "docker",
          "/system.slice/docker-3f1c9a0b2d4e.scope");
  private static final Container SYSTEMD_UNIT =
      new Container(null, "systemd", "/system.slice/vrserver.service");

  /** A realistic payload of {@code type} with every component filled, nested ones included. */
  public static EventPayload payload(EventType type) {
    return switch (type) {
      case PROBE_MTU_PING -> new MtuPing("10.0.0.12:7", 8972, true, 412L, "both", "udp");
      case PROBE_MTU_MISMATCH -> new MtuMismatch("10.0.0.12:7", 1472, 1473, 1500, "out");
      case PROBE_OSD_PING ->
          new OsdPing(
              3,
              7,
              "back",
              0.512,
              new OsdPing.Windows(0.401, 0.455, 0.5),
              new OsdPing.Windows(0.102, 0.12, 0.15),
              new OsdPing.Windows(1.25, 2.5, 3.75),
              false,
              1000.0);
      case PROBE_SYSCALL_DENIED ->
          new SyscallDenied(
              "ptrace",
              101,
              "x86_64",
              "ERRNO",
              1,
              4242L,
              "vrserver",
              "/opt/steam/steamapps/common/SteamVR/bin/linux64/vrserver",
              1000L,
              CONTAINER,
              "filter",
              17,
              T0,
              T0.plusSeconds(5));
      case PROBE_LSM_DENIED ->
          new LsmDenied(
              "selinux",
              "open",
              "vr-app",
              "system_u:system_r:vr_t:s0",
              "unconfined_u:object_r:user_home_t:s0",
              "file",
              "/home/vr/.steam/config/config.vdf",
              "read",
              "read",
              "denied",
              false,
              4242L,
              "vrcompositor",
              "/usr/bin/vrcompositor",
              CONTAINER,
              3,
              T0,
              T0.plusMillis(250));
      case PROBE_FRAME_DROPPED ->
          new FrameDropped(90, 3, 5_000_000_001L, 5_000_000_003L, 16_700L, "openvr");
      case PROBE_FRAME_STATS ->
          new FrameStats(
              90,
              88,
              2,
              87.96,
              11_100L,
              12_400L,
              22_300L,
              1000L,
              "loop",
              new FrameStats.Histogram(
                  500,
                  java.util.List.of(
                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80, 6, 1, 0,
                      1)));
      case LEASE_GRANTED ->
          new LeaseGranted(
              "lease-7", "hmd-0", new Lessee("beat-saber", 4242L), 5000L, T0.plusSeconds(5));
      case LEASE_REVOKED ->
          new LeaseRevoked(
              "lease-7",
              "hmd-0",
              new Lessee("beat-saber", 4242L),
              "lessee-crash",
              "exit status 139 (SIGSEGV)");
      case LEASE_EXPIRED ->
          new LeaseExpired("lease-7", "hmd-0", new Lessee("beat-saber", 4242L), T0);
      case CHAOS_EXPERIMENT_SCHEDULED ->
          new ExperimentScheduled(
              "MTU black hole on the storage network",
              "sched-1",
              "0 3 * * *",
              T0.plusSeconds(3600),
              io.valentia.eventbus.EventCodec.MAPPER
                  .createObjectNode()
                  .put("title", "MTU black hole on the storage network"),
              io.valentia.eventbus.EventCodec.MAPPER
                  .createObjectNode()
                  .put("zone", "Europe/Dublin")
                  .put("concurrency", "forbid"),
              false,
              T0,
              "run-42",
              "started");
      case CHAOS_EXPERIMENT_STARTED ->
          new ExperimentStarted(
              "run-42", "MTU black hole on the storage network", false, List.of("osd-12", "eth1"));
      case CHAOS_EXPERIMENT_STEP ->
          new ExperimentStep(
              "run-42",
              "method",
              "drop-jumbo-frames",
              "action",
              "failed",
              T0,
              T0.plusSeconds(2),
              json("{\"exitCode\":1,\"stdout\":\"\",\"stderr\":[\"permission denied\"]}"),
              "iptables: permission denied (you must be root)");
      case CHAOS_EXPERIMENT_DEVIATED ->
          new ExperimentDeviated(
              "run-42", "mtu-ping", "during", "expected ok=true, found ok=false for 8972 bytes");
      case CHAOS_EXPERIMENT_ABORTED -> new ExperimentAborted("run-42", "halt-all", "alice");
      case CHAOS_EXPERIMENT_COMPLETED ->
          new ExperimentCompleted(
              "run-42",
              "failed",
              true,
              93.5,
              "method action drop-jumbo-frames failed: iptables: permission denied",
              "method",
              "drop-jumbo-frames");
      case CHAOS_EXPERIMENT_ROLLEDBACK ->
          new ExperimentRolledBack(
              "run-42",
              List.of("restore-mtu", "flush-iptables"),
              false,
              List.of("flush-iptables: exit status 1"));
      case CHAOS_HALT -> new ChaosHalt("alice", "storage cluster degraded", false, 2);
      case CHAOS_FAULT ->
          new ChaosFault(
              "fault-1",
              "run-42",
              "process-pause",
              ChaosFault.APPLYING,
              List.of("pid:4242"),
              io.valentia.eventbus.EventCodec.MAPPER
                  .createArrayNode()
                  .add(
                      io.valentia.eventbus.EventCodec.MAPPER
                          .createObjectNode()
                          .put("kind", "signal")
                          .put("pid", 4242)
                          .put("signal", "CONT")),
              "osd-host-3",
              777L,
              T0.minusSeconds(60),
              T0.plusSeconds(30),
              "reverted by the injector on osd-host-3 after a crash");
      case HEALTH_CHANGED ->
          new HealthChanged(
              "MTU_MISMATCH",
              "HEALTH_WARN",
              "2 peers drop frames larger than 1500 bytes",
              List.of("osd.3 -> osd.7: path MTU 1500", "osd.3 -> osd.9: path MTU 1500"),
              2);
      case HEALTH_MUTED ->
          new HealthMuted(
              "MTU_MISMATCH", true, Instant.parse("2025-03-14T10:26:53Z"), true, "operator:ada");
      case INCIDENT_OPENED ->
          new IncidentOpened(
              "Jumbo frames black-holed between osd.3 and osd.7",
              "SEV2",
              "mtu-mismatch",
              List.of(EVIDENCE_1, EVIDENCE_2));
      case INCIDENT_UPDATED ->
          new IncidentUpdated(
              "mitigated",
              "SEV3",
              "Jumbo frames black-holed between osd.3 and osd.7",
              List.of(EVIDENCE_2),
              "alice");
      case INCIDENT_RESOLVED ->
          new IncidentResolved("MTU restored to 9000 on the switch port", "alice", 5400.0);
      case POSTMORTEM_REVISED ->
          new PostmortemRevised(
              "pm-019ad1c2",
              3,
              "alice",
              "revised",
              "in-review",
              List.of(
                  new SectionChange(
                      "summary",
                      json(
                          "\"Jumbo frames between osd.3 and osd.7 were dropped for 41 minutes.\"")),
                  new SectionChange(
                      "contributingFactors",
                      json("[\"The switch port kept MTU 1500 after the change\"]"))),
              "summary after the review meeting");
      case ALERT ->
          new PrometheusAlert(
              "resolved",
              java.util.Map.of(
                  "alertname", "CephOSDDown", "severity", "critical", "instance", "osd-3:9283"),
              java.util.Map.of("summary", "OSD osd.3 is down"),
              "2026-03-14T09:26:53.589Z",
              "2026-03-14T09:41:53.589Z",
              "http://prometheus.example:9090/graph?g0.expr=ceph_osd_up+%3D%3D+0",
              "b5d3c4f21a0e9d87",
              "valentia");
      case NOTIFICATION_DELIVERY ->
          new NotificationDelivery(
              "3f1c2a9b7d6e5f408192a3b4c5d6e7f8",
              "storage-oncall",
              "storage-oncall/slack/0",
              "{}/{severity=\"critical\"}:{incident=\"inc-7\"}",
              "attempt-failed",
              2,
              503,
              "503 Service Unavailable",
              java.time.Instant.parse("2026-03-14T09:27:00Z"),
              java.time.Instant.parse("2026-03-14T09:27:02Z"));
      case AUDIT ->
          new Audit(
              "alice",
              "operator",
              "experiment.run",
              "experiments/mtu-black-hole",
              "success",
              "192.0.2.10",
              json("{\"runId\":\"run-42\",\"dryRun\":false}"));
    };
  }

  /** A payload of {@code type} with every nullable component null (lists empty where allowed). */
  public static EventPayload minimal(EventType type) {
    return switch (type) {
      case PROBE_MTU_PING -> new MtuPing("osd-12", 1472, false, null, "out", "icmp");
      case PROBE_MTU_MISMATCH -> new MtuMismatch("osd-12", 0, 1, 28, "unknown");
      case PROBE_OSD_PING -> new OsdPing(0, 1, "front", 0.0, null, null, null, true, 1000.0);
      case PROBE_SYSCALL_DENIED ->
          new SyscallDenied(
              null,
              435,
              "c000003e",
              "KILL_PROCESS",
              null,
              1L,
              null,
              null,
              null,
              null,
              null,
              1,
              T0,
              T0);
      case PROBE_LSM_DENIED ->
          new LsmDenied(
              "landlock",
              "fs.make_reg",
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              "denied",
              null,
              null,
              null,
              null,
              null,
              1,
              T0,
              T0);
      case PROBE_FRAME_DROPPED -> new FrameDropped(60, 1, 0L, 0L, 0L, "monado");
      case PROBE_FRAME_STATS -> new FrameStats(144, 0, 0, 0.0, 0L, 0L, 0L, 1L, "monado");
      case LEASE_GRANTED ->
          new LeaseGranted("lease-8", "hmd-1", new Lessee("vrchat", null), 1L, T0);
      case LEASE_REVOKED ->
          new LeaseRevoked("lease-8", "hmd-1", new Lessee("vrchat", null), "lessor-revoke", null);
      case LEASE_EXPIRED -> new LeaseExpired("lease-8", "hmd-1", new Lessee("vrchat", null), null);
      case CHAOS_EXPERIMENT_SCHEDULED ->
          new ExperimentScheduled("One-off", "sched-2", "PT1H", null);
      case CHAOS_EXPERIMENT_STARTED -> new ExperimentStarted("run-43", "One-off", true, List.of());
      case CHAOS_EXPERIMENT_STEP ->
          new ExperimentStep(
              "run-43",
              "steady-state-before",
              "ping-peers",
              "probe",
              "running",
              T0,
              null,
              null,
              null);
      case CHAOS_EXPERIMENT_DEVIATED ->
          new ExperimentDeviated("run-43", "frame-rate", "before", "");
      case CHAOS_EXPERIMENT_ABORTED -> new ExperimentAborted("run-43", "", "safety-rule");
      case CHAOS_EXPERIMENT_COMPLETED -> new ExperimentCompleted("run-43", "completed", false, 0.0);
      case CHAOS_EXPERIMENT_ROLLEDBACK ->
          new ExperimentRolledBack("run-43", List.of(), true, List.of());
      case CHAOS_HALT -> new ChaosHalt("bob", null, true, 0);
      case CHAOS_FAULT ->
          new ChaosFault(
              "fault-2",
              null,
              "cpu-hog",
              ChaosFault.REVERTED,
              List.of(),
              null,
              "osd-host-3",
              777L,
              null,
              null,
              null);
      case HEALTH_CHANGED -> new HealthChanged("MTU_MISMATCH", "HEALTH_OK", "", List.of(), 0);
      case HEALTH_MUTED -> new HealthMuted("MTU_MISMATCH", false, null, false, "admin");
      case INCIDENT_OPENED -> new IncidentOpened("Frame drops", "SEV4", "frame-drops", List.of());
      case INCIDENT_UPDATED ->
          new IncidentUpdated("closed", "SEV1", "Frame drops", List.of(), "incident-bot");
      case INCIDENT_RESOLVED -> new IncidentResolved("", "incident-bot", 0.0);
      case POSTMORTEM_REVISED ->
          new PostmortemRevised("pm-1", 2, "bob", "status-changed", "final", List.of(), null);
      case ALERT ->
          new PrometheusAlert(
              "firing",
              java.util.Map.of("alertname", "Watchdog"),
              null,
              "2026-03-14T09:26:53Z",
              null,
              null,
              "0",
              null);
      case NOTIFICATION_DELIVERY ->
          new NotificationDelivery(
              "n1",
              "team",
              "team/webhook/0",
              "{}:{}",
              "recorded",
              0,
              null,
              null,
              java.time.Instant.parse("2026-03-14T09:27:00Z"),
              null);
      case AUDIT -> new Audit("valentia-cli", "admin", "halt", null, "denied", null, null);
    };
  }

  private static JsonNode json(String text) {
    try {
      return EventCodec.MAPPER.readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A sample event of {@code type} from {@code /test}, subject {@code subject}. */
  public static CloudEvent event(EventType type, String subject) {
    return CloudEvent.of(payload(type)).source("/test").subject(subject).build();
  }
}
