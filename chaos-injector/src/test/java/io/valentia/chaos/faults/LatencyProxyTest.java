package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.eventbus.EventCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LatencyProxyTest {
  private final FaultCatalog catalog = FaultCatalog.standard();

  @Test
  @DisplayName("Proxy effects that do not fit the protocol, or out of range, are all reported")
  void reportsEveryProblem() throws Exception {
    assertThat(
            catalog.check(
                "network-latency",
                Arguments.checking(
                    EventCodec.MAPPER.readTree(
                        "{\"listen\": \"127.0.0.1:1\", \"upstream\": \"127.0.0.1:2\","
                            + " \"protocol\": \"udp\", \"loss\": 120, \"resetAfterBytes\": 10,"
                            + " \"bandwidth\": 0, \"duration\": \"5s\"}"))))
        .containsExactlyInAnyOrder(
            "bandwidth: must be a positive number of bytes per second",
            "loss: must be a percentage from 0 to 100, found 120.0",
            "resetAfterBytes, resetProbability: UDP has no connections to reset");
    assertThat(
            catalog.check(
                "network-latency",
                Arguments.checking(
                    EventCodec.MAPPER.readTree(
                        "{\"listen\": \"127.0.0.1:1\", \"upstream\": \"127.0.0.1:2\","
                            + " \"protocol\": \"sctp\", \"duration\": \"5s\"}"))))
        .containsExactlyInAnyOrder(
            "protocol: must be tcp or udp, found sctp",
            "latency, jitter, bandwidth, loss, resetAfterBytes or resetProbability: give at least"
                + " one");
  }

  @Test
  @DisplayName("A token bucket lets a burst through at once and makes the sender wait for the rest")
  void tokenBucketPaces() {
    long[] now = {0};
    TokenBucket bucket = new TokenBucket(100_000, () -> now[0]);
    assertThat(bucket.take(5_000)).as("the burst").isZero();
    assertThat(bucket.take(10_000)).as("10 kB at 100 kB/s").isEqualTo(100_000_000L);
    now[0] += 150_000_000L; // paid off, and 5 kB to spare (the burst's cap)
    assertThat(bucket.take(5_000)).isZero();
    assertThat(bucket.take(1_000)).isEqualTo(10_000_000L);
  }
}
