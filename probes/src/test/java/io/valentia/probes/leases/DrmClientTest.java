package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The debugfs {@code clients} file, written with the kernel's own format strings from {@code
 * drm_clients_info} in {@code drivers/gpu/drm/drm_debugfs.c} of each version ({@code %*s} with
 * {@code DRM_CLIENT_NAME_MAX_LEN}, 64, written as {@code %64s}).
 */
class DrmClientTest {
  /** Linux 6.4 to 6.14. */
  static String clients(Object[]... rows) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                "%20s %5s %3s master a %5s %10s\n", "command", "tgid", "dev", "uid", "magic"));
    for (Object[] r : rows) {
      text.append(String.format("%20s %5d %3d   %c    %c %5d %10d\n", r));
    }
    return text.toString();
  }

  @Test
  @DisplayName("The clients file of Linux 6.4 to 6.14 is read, a command with spaces included")
  void tgidFormat() throws Exception {
    String text =
        clients(
            new Object[] {"gnome-shell", 1234, 0, 'y', 'y', 1000, 0},
            new Object[] {"Web Content", 2211, 0, 'n', 'y', 1000, 7},
            new Object[] {"monado-service", 4242, 0, 'y', 'y', 1000, 0});

    List<DrmClient> clients = DrmClient.parseAll(text);

    assertThat(clients)
        .containsExactly(
            new DrmClient("gnome-shell", 1234, 0, true, true, 1000, 0, null, null),
            new DrmClient("Web Content", 2211, 0, false, true, 1000, 7, null, null),
            new DrmClient("monado-service", 4242, 0, true, true, 1000, 0, null, null));
  }

  @Test
  @DisplayName(
      "The older header with pid, and the newer ones with the client name and id, are read")
  void otherVersions() throws Exception {
    String before64 =
        String.format("%20s %5s %3s master a %5s %10s\n", "command", "pid", "dev", "uid", "magic")
            + String.format(
                "%20s %5d %3d   %c    %c %5d %10d\n", "<unknown>", 77, 1, 'n', 'n', 0, 12);
    assertThat(DrmClient.parseAll(before64))
        .containsExactly(new DrmClient("<unknown>", 77, 1, false, false, 0, 12, null, null));

    String withName =
        String.format(
                "%20s %5s %3s master a %5s %10s %64s\n",
                "command", "tgid", "dev", "uid", "magic", "name")
            + String.format(
                "%20s %5d %3d   %c    %c %5d %10d %64s\n",
                "monado-service", 4242, 0, 'y', 'y', 1000, 0, "<unset>");
    assertThat(DrmClient.parseAll(withName))
        .containsExactly(
            new DrmClient("monado-service", 4242, 0, true, true, 1000, 0, "<unset>", null));

    String withId =
        String.format(
                "%20s %5s %3s master a %5s %10s %64s %20s\n",
                "command", "tgid", "dev", "uid", "magic", "name", "id")
            + String.format(
                "%20s %5d %3d   %c    %c %5d %10d %64s %20d\n",
                "monado-service", 4242, 0, 'y', 'y', 1000, 0, "monado", 31L);
    assertThat(DrmClient.parseAll(withId))
        .containsExactly(
            new DrmClient("monado-service", 4242, 0, true, true, 1000, 0, "monado", 31L));
  }

  @Test
  @DisplayName("Text that is not a clients file is refused with the reason")
  void notTheFormat() {
    assertThatThrownBy(() -> DrmClient.parseAll(""))
        .isInstanceOf(DrmClient.FormatException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> DrmClient.parseAll("pid command\n1 init\n"))
        .isInstanceOf(DrmClient.FormatException.class)
        .hasMessageContaining("header");
    assertThatThrownBy(
            () ->
                DrmClient.parseAll(
                    clients() + "         gnome-shell  1234   0   maybe    y  1000          0\n"))
        .isInstanceOf(DrmClient.FormatException.class)
        .hasMessageContaining("maybe");
  }
}
