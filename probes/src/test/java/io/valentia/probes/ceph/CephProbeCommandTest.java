package io.valentia.probes.ceph;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.probes.ProbesCliMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName("valentia probe ceph")
class CephProbeCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = ProbesCliMain.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    return commandLine.execute(args);
  }

  @Test
  @DisplayName("Healthy heartbeats print one valid CloudEvent per line with --json and exit 0")
  void healthy() {
    int code =
        run(
            "probe",
            "ceph",
            "--json",
            "--name",
            "mon-1",
            "--osd-network",
            CephFixtures.path("dump_osd_network.json").toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString().lines())
        .hasSize(5)
        .allSatisfy(
            line -> {
              CloudEvent event =
                  EventCodec.instance().decode(line.getBytes(StandardCharsets.UTF_8));
              EventCodec.instance().validateData(event);
            });
  }

  @Test
  @DisplayName("Slow heartbeats in health detail exit 1 and name the check")
  void slow() {
    int code =
        run(
            "probe",
            "ceph",
            "--osd-network",
            CephFixtures.path("dump_osd_network.json").toString(),
            "--health-detail",
            CephFixtures.path("health_detail.txt").toString());

    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains("OSD_SLOW_PING_TIME_BACK HEALTH_WARN: Slow OSD heartbeats on back");
  }

  @Test
  @DisplayName("Skipped entries are reported on stderr and exit 1")
  void skippedEntries() {
    int code =
        run(
            "probe",
            "ceph",
            "--threshold-ms",
            "100000",
            "--osd-network",
            CephFixtures.path("dump_osd_network_slow.json").toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("skipped 1 input entries").contains("entries[3]");
  }

  @Test
  @DisplayName("Input that is not the format, a missing file or a bad threshold exit 2")
  void badUsage() {
    assertThat(
            run(
                "probe",
                "ceph",
                "--osd-network",
                CephFixtures.path("health_detail.txt").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("not dump_osd_network JSON");
    assertThat(run("probe", "ceph", "--osd-network", "/nonexistent/dump.json")).isEqualTo(2);
    assertThat(
            run(
                "probe",
                "ceph",
                "--threshold-ms",
                "0",
                "--osd-network",
                CephFixtures.path("dump_osd_network.json").toString()))
        .isEqualTo(2);
  }

  @Test
  @DisplayName(
      "Scrub errors in health detail are printed with HEALTH_ERR, and the roll-up says which"
          + " checks are understood in detail")
  void otherChecksInTheRollUp() {
    int code =
        run(
            "probe",
            "ceph",
            "--osd-network",
            CephFixtures.path("dump_osd_network.json").toString(),
            "--health-detail",
            CephFixtures.path("health_detail_scrub_errors.txt").toString());

    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains("OSD_SLOW_PING_TIME_FRONT HEALTH_WARN: Slow OSD heartbeats on front")
        .contains("OSD_SCRUB_ERRORS HEALTH_ERR: 2 scrub errors (as Ceph reported it");
    assertThat(err.toString())
        .contains("ceph health: HEALTH_ERR (")
        .contains("OSD_SCRUB_ERRORS HEALTH_ERR")
        .contains("understood in detail: OSD_SLOW_PING_TIME_BACK, OSD_SLOW_PING_TIME_FRONT");
  }
}
