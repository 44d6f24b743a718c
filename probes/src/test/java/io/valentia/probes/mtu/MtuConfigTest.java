package io.valentia.probes.mtu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The probes.mtu settings")
class MtuConfigTest {
  private static JsonNode json(String text) throws Exception {
    return EventCodec.MAPPER.readTree(text);
  }

  @Test
  @DisplayName("A full section is read, with UDP and ICMP peers")
  void readsASection() throws Exception {
    MtuConfig config =
        MtuConfig.parse(
            json(
                "{\"enabled\":true,\"agentPort\":7400,\"peers\":[\"osd-7:7400\"],"
                    + "\"icmpPeers\":[\"switch-1\"],\"sizes\":[8972,1472,4000],"
                    + "\"interval\":\"10s\",\"timeout\":\"500ms\",\"name\":\"osd-12\"}"));

    assertThat(config.agentPort()).isEqualTo(7400);
    assertThat(config.peers())
        .containsExactly(new MtuPeer("osd-7", 7400), new MtuPeer("switch-1", 0));
    assertThat(config.settings().sizes()).containsExactly(1472, 4000, 8972);
    assertThat(config.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.settings().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.name()).isEqualTo("osd-12");
  }

  @Test
  @DisplayName("No section means the agent on 7347 and no peers")
  void defaults() {
    MtuConfig config =
        MtuConfig.parse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());

    assertThat(config.agent()).isTrue();
    assertThat(config.agentPort()).isEqualTo(7347);
    assertThat(config.peers()).isEmpty();
    assertThat(config.settings().sizes()).containsExactly(1472, 8972);
  }

  @Test
  @DisplayName("Every bad key is reported at once")
  void reportsEveryProblem() throws Exception {
    assertThat(
            MtuConfig.check(
                json(
                    "{\"agentPort\":70000,\"peers\":[\"osd-7\"],\"sizes\":[8],"
                        + "\"interval\":\"soon\",\"attempts\":0,\"colour\":\"red\"}")))
        .containsExactlyInAnyOrder(
            "agentPort: must be an integer from 0 to 65535",
            "peers[0]: \"osd-7\": not HOST:PORT (the agent's UDP port)",
            "sizes[0]: must be an integer from 16 to 65507",
            "interval: not a duration: \"soon\" (write e.g. 500ms, 30s, 5m or 2h)",
            "attempts: must be an integer from 1 to 100",
            "colour: unknown key (known: agent, agentBind, agentPort, attempts, enabled, icmpPeers,"
                + " interval, maxInFlight, name, peers, pingCommand, ratePerPeer, sizes, timeout)");
  }
}
