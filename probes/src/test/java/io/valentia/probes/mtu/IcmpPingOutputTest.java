package io.valentia.probes.mtu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading the output of iputils ping -M do")
class IcmpPingOutputTest {
  @Test
  @DisplayName("A reply line gives the round trip in microseconds")
  void reply() {
    EchoResult result =
        IcmpPingTransport.parse(
            """
            PING 198.18.0.2 (198.18.0.2) 1472(1500) bytes of data.
            1480 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.091 ms

            --- 198.18.0.2 ping statistics ---
            1 packets transmitted, 1 received, 0% packet loss, time 0ms
            rtt min/avg/max/mdev = 0.091/0.091/0.091/0.000 ms
            """);

    assertThat(result).isEqualTo(EchoResult.ok(91));
  }

  @Test
  @DisplayName("This host's interface refusing the size is an outbound loss")
  void localMessageTooLong() {
    EchoResult result =
        IcmpPingTransport.parse(
            """
            ping: local error: message too long, mtu=1500
            PING 198.18.0.1 (198.18.0.1) 8972(9000) bytes of data.

            --- 198.18.0.1 ping statistics ---
            1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
            """);

    assertThat(result.outcome()).isEqualTo(EchoResult.Outcome.REQUEST_LOST);
    assertThat(result.outcome().direction()).isEqualTo("out");
  }

  @Test
  @DisplayName("No reply, a frag-needed answer or an unreachable network has no known direction")
  void noAnswer() {
    assertThat(
            IcmpPingTransport.parse(
                    """
                    PING 198.18.0.2 (198.18.0.2) 8972(9000) bytes of data.

                    --- 198.18.0.2 ping statistics ---
                    1 packets transmitted, 0 received, 100% packet loss, time 1001ms
                    """)
                .outcome())
        .isEqualTo(EchoResult.Outcome.NO_ANSWER);
    assertThat(
            IcmpPingTransport.parse(
                    "From 10.0.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1500)\n")
                .outcome())
        .isEqualTo(EchoResult.Outcome.NO_ANSWER);
    assertThat(IcmpPingTransport.parse("ping: connect: Network is unreachable\n").ok()).isFalse();
  }
}
