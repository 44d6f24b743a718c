package io.valentia.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded broker on another address")
class BrokerAddressIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "binds every address when asked and gives clients the advertised host, keeping both"
          + " across a restart")
  void bindsAndAdvertises() throws Exception {
    try (RestartableBroker broker =
        RestartableBroker.start(dir, BrokerAddress.of("0.0.0.0", 0, "localhost"))) {
      int port = broker.port();
      assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + port);
      assertThat(broker.address().loopbackOnly()).isFalse();
      assertThat(nodes(broker.bootstrapServers()))
          .singleElement()
          .satisfies(
              node -> {
                assertThat(node.host()).isEqualTo("localhost");
                assertThat(node.port()).isEqualTo(port);
              });
      broker.stop();
      broker.start();
      assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + port);
      assertThat(nodes("127.0.0.1:" + port))
          .singleElement()
          .extracting(Node::host)
          .isEqualTo("localhost");
    }
  }

  private static Collection<Node> nodes(String bootstrap) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10000))) {
      return admin.describeCluster().nodes().get();
    }
  }
}
