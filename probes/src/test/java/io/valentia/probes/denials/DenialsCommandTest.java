package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.probes.ProbeCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("valentia probe denials")
class DenialsCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new ProbeCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? 2 : 1);
    String[] full = new String[args.length + 1];
    full[0] = "denials";
    System.arraycopy(args, 0, full, 1, args.length);
    return cli.execute(full);
  }

  @Test
  @DisplayName("--file with --once prints one JSON event per denial and exits 1 (denials found).")
  void fileOnceJson() throws Exception {
    Path log =
        Files.write(
            dir.resolve("audit.log"),
            List.of(
                "type=SECCOMP msg=audit(1741944413.589:1): auid=0 uid=0 gid=0 ses=1 pid=77"
                    + " comm=\"app\" exe=\"/usr/bin/app\" sig=31 arch=c000003e syscall=101"
                    + " compat=0 ip=0x1 code=0x80000000",
                "this is not an audit line type=X audit(",
                "type=AVC msg=audit(1741944413.600:2): apparmor=\"DENIED\" operation=\"open\""
                    + " profile=\"p\" name=\"/etc/shadow\" pid=78 comm=\"cat\""
                    + " requested_mask=\"r\" denied_mask=\"r\"",
                "kauditd_printk_skb: 4 callbacks suppressed"));
    int code = run("--file", log.toString(), "--once", "--json", "--host", "h1");
    assertThat(code).isEqualTo(1);
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(EventCodec.instance().decode(lines.get(0)).type())
        .isEqualTo("io.valentia.probe.syscall.denied.v1");
    assertThat(EventCodec.instance().decode(lines.get(1)).type())
        .isEqualTo("io.valentia.probe.lsm.denied.v1");
    JsonNode stats = EventCodec.MAPPER.readTree(err.toString().trim()).path("stats");
    assertThat(stats.path("suppressed").asLong()).isEqualTo(4);
    assertThat(stats.path("unknown").asLong()).isEqualTo(1);
  }

  @Test
  @DisplayName("A file without denials exits 0 and prints a readable summary.")
  void noDenials() throws Exception {
    Path log = Files.write(dir.resolve("kern.log"), List.of("[ 1.0] usb 1-1: new device"));
    assertThat(run("--file", log.toString(), "--once")).isEqualTo(0);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("1 lines").contains("0 denials");
  }

  @Test
  @DisplayName("Without a source, with a missing file or a bad window it is a usage error (2).")
  void usage() {
    assertThat(run("--once")).isEqualTo(2);
    assertThat(run("--file", dir.resolve("missing").toString(), "--once")).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read");
    assertThat(run("--kmsg", "--window", "soon")).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "ausearch -i dates are read in the --timezone given, and the summary says which zone it was.")
  void timezone() throws Exception {
    Path log =
        Files.write(
            dir.resolve("ausearch.txt"),
            List.of(
                "----",
                "type=SECCOMP msg=audit(03/14/25 09:26:53.589:4569) : auid=alice uid=root"
                    + " gid=root ses=3 pid=5152 comm=vrserver exe=/opt/vrserver"
                    + " sig=SIGSYS arch=x86_64 syscall=msync compat=0 ip=0x7f code=kill"));
    int code = run("--file", log.toString(), "--once", "--json", "--timezone", "Europe/Berlin");
    assertThat(code).isEqualTo(1);
    var event = EventCodec.instance().decode(out.toString().lines().findFirst().orElseThrow());
    assertThat(event.time()).isEqualTo(java.time.Instant.parse("2025-03-14T08:26:53.589Z"));
    assertThat(event.data().path("action").asText()).isEqualTo("KILL");
    JsonNode stats = EventCodec.MAPPER.readTree(err.toString().trim()).path("stats");
    assertThat(stats.path("timezone").asText()).isEqualTo("Europe/Berlin");
    assertThat(stats.path("interpreted").asLong()).isEqualTo(1);

    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    assertThat(run("--file", log.toString(), "--once")).isEqualTo(1);
    assertThat(err.toString())
        .contains("read as local time in " + java.time.ZoneId.systemDefault().getId())
        .contains("this machine's zone");
    assertThat(run("--file", log.toString(), "--once", "--timezone", "Mars/Olympus")).isEqualTo(2);
  }
}
