package io.valentia.probes.mtu;

import io.valentia.eventbus.EventCodec;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia agent mtu-echo}: runs the UDP echo agent of the MTU mesh in the foreground. */
@Command(
    name = "mtu-echo",
    mixinStandardHelpOptions = true,
    description = {
      "Answer the MTU probes of other hosts (`valentia probe mtu`) on a UDP port until stopped"
          + " (Ctrl-C or SIGTERM). Prints one line once it listens.",
      "Exit 1 when the port cannot be bound, 2 on bad usage."
    })
public final class MtuEchoCommand implements Callable<Integer> {
  /** The agent's port when none is configured. */
  public static final int DEFAULT_PORT = 7347;

  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "" + DEFAULT_PORT,
      description = "UDP port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "0.0.0.0",
      description = "address to listen on (default: ${DEFAULT-VALUE})")
  String bind;

  @Option(names = "--json", description = "print the listening line as JSON")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(spec.commandLine(), "--port must be 0 to 65535");
    }
    MtuEchoAgent agent = MtuEchoAgent.start(new InetSocketAddress(bind, port));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  stopped.countDown();
                },
                "mtu-echo-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          EventCodec.MAPPER
              .createObjectNode()
              .put("listening", bind + ":" + agent.port())
              .put("port", agent.port()));
    } else {
      out.println("mtu-echo agent listening on UDP " + bind + ":" + agent.port());
    }
    out.flush();
    stopped.await();
    return 0;
  }
}
