package io.valentia.probes.mtu;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Echo requests with the system {@code ping -M do -s SIZE} (iputils-ping), for peers that run no
 * agent. The don't-fragment bit is set, so a size above the path MTU fails; ICMP cannot tell which
 * way it was lost, except when this host's own interface refuses the size ({@code message too
 * long}), which is the outbound direction.
 */
public final class IcmpPingTransport implements EchoTransport {
  private static final Pattern TIME = Pattern.compile("time[=<]([0-9.]+) ms");

  private final MtuPeer peer;
  private final String pingCommand;

  /**
   * @param pingCommand the ping executable ({@code ping} from the PATH by default)
   */
  public IcmpPingTransport(MtuPeer peer, String pingCommand) {
    this.peer = peer;
    this.pingCommand = pingCommand;
  }

  @Override
  public String mode() {
    return "icmp";
  }

  @Override
  public boolean separatesDirections() {
    return false;
  }

  @Override
  public int minimumBytes() {
    return 16;
  }

  @Override
  public int headerBytes() {
    return peer.host().contains(":") ? 48 : 28;
  }

  @Override
  public EchoResult echo(int requestBytes, int replyBytes, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add(pingCommand);
    command.addAll(
        List.of(
            "-n",
            "-M",
            "do",
            "-c",
            "1",
            "-s",
            Integer.toString(requestBytes),
            "-W",
            String.format(Locale.ROOT, "%.3f", Math.max(0.001, timeout.toMillis() / 1000.0)),
            peer.host()));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new ValentiaException(
          "cannot run " + pingCommand + " (install iputils-ping): " + e.getMessage(), e);
    }
    try (InputStream output = process.getInputStream()) {
      if (!process.waitFor(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return EchoResult.lost(EchoResult.Outcome.NO_ANSWER);
      }
      return parse(new String(output.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return EchoResult.lost(EchoResult.Outcome.NO_ANSWER);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return EchoResult.lost(EchoResult.Outcome.NO_ANSWER);
    }
  }

  /**
   * Reads the output of one {@code ping -c 1} (standard output and error together): a reply line
   * with {@code time=} is a pass; {@code message too long} (this host's interface refuses the size)
   * lost outbound; anything else lost, direction unknown.
   */
  static EchoResult parse(String output) {
    for (String line : output.split("\n")) {
      Matcher time = TIME.matcher(line);
      if (line.contains(" bytes from ") && time.find()) {
        return EchoResult.ok(Math.round(Double.parseDouble(time.group(1)) * 1000));
      }
    }
    if (output.toLowerCase(Locale.ROOT).contains("message too long")) {
      return EchoResult.lost(EchoResult.Outcome.REQUEST_LOST);
    }
    return EchoResult.lost(EchoResult.Outcome.NO_ANSWER);
  }

  @Override
  public void close() {}
}
