package io.valentia.probes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia probe KIND ...}: runs one probe alone and prints JSON lines. */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    description = {
      "Run one probe alone: print one JSON object per result (and publish to Kafka when"
          + " --kafka or VALENTIA_KAFKA_BOOTSTRAP names a broker).",
      "Exit 1 when the probe found a problem."
    },
    subcommands = {
      io.valentia.probes.denials.DenialsCommand.class,
      io.valentia.probes.frames.FramesCommand.class,
      io.valentia.probes.mtu.MtuProbeCommand.class,
      io.valentia.probes.ceph.CephProbeCommand.class,
    })
public final class ProbeCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a probe");
  }
}
