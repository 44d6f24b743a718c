package io.valentia.probes.frames;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.FrameStats;

/** The frame probe's events: source {@code /probes/frames/HOST}, subject {@code HOST}. */
public final class FrameEvents {
  private FrameEvents() {}

  /** A burst of drops ({@code probe.frame.dropped}, warning). */
  public static CloudEvent dropped(String host, FrameDropped burst) {
    return CloudEvent.of(burst).source("/probes/frames/" + host).subject(host).build();
  }

  /**
   * One interval's stats ({@code probe.frame.stats}): a warning when its drops deviate from the
   * baseline, else info.
   */
  public static CloudEvent stats(String host, FrameStats stats, boolean deviates) {
    return CloudEvent.of(stats)
        .source("/probes/frames/" + host)
        .subject(host)
        .severity(deviates ? Severity.WARNING : Severity.INFO)
        .build();
  }

  /** This machine's host name, for sources and subjects. */
  public static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
