package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * The typed {@code data} of a Valentia event. Every permitted record has exactly one {@link
 * EventType}, whose JSON Schema describes the record's JSON form.
 *
 * <p>Payloads are immutable; nullable components are documented on each record and are left out of
 * the JSON when null.
 */
public sealed interface EventPayload
    permits MtuPing,
        MtuMismatch,
        OsdPing,
        SyscallDenied,
        LsmDenied,
        FrameDropped,
        FrameStats,
        LeaseGranted,
        LeaseRevoked,
        LeaseExpired,
        ExperimentScheduled,
        ExperimentStarted,
        ExperimentStep,
        ExperimentDeviated,
        ExperimentAborted,
        ExperimentCompleted,
        ExperimentRolledBack,
        ChaosHalt,
        ChaosFault,
        HealthChanged,
        HealthMuted,
        IncidentOpened,
        IncidentUpdated,
        IncidentResolved,
        PostmortemRevised,
        PrometheusAlert,
        NotificationDelivery,
        Audit {

  /** The CloudEvents {@code type} this payload is published under. */
  EventType eventType();
}
