package io.valentia.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.ValentiaException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The embedded broker's address")
class BrokerAddressTest {

  @Test
  @DisplayName("is 127.0.0.1, advertised as itself, by default, and only that is loopback-only")
  void loopbackByDefault() {
    BrokerAddress address = BrokerAddress.of(null, 9092, null);
    assertThat(address).isEqualTo(BrokerAddress.loopback(9092));
    assertThat(address.advertised(9092)).isEqualTo("127.0.0.1:9092");
    assertThat(address.loopbackOnly()).isTrue();
    assertThat(BrokerAddress.of("0.0.0.0", 9092, "kafka.lan").loopbackOnly()).isFalse();
  }

  @Test
  @DisplayName("reads an advertised host, host:port and bracketed IPv6 with or without a port")
  void advertised() {
    assertThat(BrokerAddress.of("0.0.0.0", 0, "kafka.lan").advertised(41234))
        .isEqualTo("kafka.lan:41234");
    assertThat(BrokerAddress.of("0.0.0.0", 0, "kafka.lan:19092").advertised(41234))
        .isEqualTo("kafka.lan:19092");
    assertThat(BrokerAddress.of("::", 0, "[fd00::7]:9092").advertised(1))
        .isEqualTo("[fd00::7]:9092");
    assertThat(BrokerAddress.of("::", 0, "[fd00::7]").advertised(9093)).isEqualTo("[fd00::7]:9093");
  }

  @Test
  @DisplayName("advertises this machine's name when it binds every address and is told none")
  void wildcardAdvertisesHostName() {
    BrokerAddress address = BrokerAddress.of("0.0.0.0", 9092, null);
    assertThat(address.advertisedHost()).isNotBlank().isNotEqualTo("0.0.0.0");
  }

  @Test
  @DisplayName("refuses a wildcard or unreadable advertised address, saying why")
  void refusesUnusableAdvertised() {
    assertThatThrownBy(() -> BrokerAddress.of("0.0.0.0", 9092, "0.0.0.0"))
        .isInstanceOf(ValentiaException.class)
        .hasMessageContaining("--kafka-advertised");
    assertThatThrownBy(() -> BrokerAddress.of("0.0.0.0", 9092, "kafka.lan:port"))
        .isInstanceOf(ValentiaException.class)
        .hasMessageContaining("HOST:PORT");
  }
}
