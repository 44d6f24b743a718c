package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code network-latency}: a TCP proxy built into the injector (the Toxiproxy approach; netem is
 * not available everywhere). Clients connect to {@code listen}; every chunk of data, both ways, is
 * held for {@code latency} plus a random {@code jitter} before it is passed on to {@code upstream},
 * in order. Reverting closes the listener and every proxied connection.
 */
final class LatencyProxy implements Fault {
  @Override
  public String name() {
    return "network-latency";
  }

  @Override
  public String summary() {
    return "delay TCP traffic through a built-in proxy; args: listen (host:port), upstream"
        + " (host:port), latency, jitter (optional)";
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.onlyKnown(Set.of("listen", "upstream", "latency", "jitter", "duration"));
    String listen = arguments.string("listen");
    String upstream = arguments.string("upstream");
    arguments.duration("latency");
    arguments.optionalDuration("jitter", Duration.ZERO);
    for (String address : List.of(listen, upstream)) {
      if (!address.isEmpty() && !address.contains("${") && parse(address) == null) {
        arguments.problem("not host:port: " + address);
      }
    }
    return List.of(new Target("host", upstream));
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    InetSocketAddress listen = parse(arguments.string("listen"));
    InetSocketAddress upstream = parse(arguments.string("upstream"));
    long latency = arguments.duration("latency").toMillis();
    long jitter = arguments.optionalDuration("jitter", Duration.ZERO).toMillis();
    ServerSocket server;
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(listen);
    } catch (IOException e) {
      throw new FaultException("cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    Set<Socket> open = ConcurrentHashMap.newKeySet();
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket client = server.accept();
                  Socket target = new Socket();
                  try {
                    target.connect(upstream, 5000);
                  } catch (IOException e) {
                    client.close();
                    continue;
                  }
                  open.add(client);
                  open.add(target);
                  pump(client, target, latency, jitter);
                  pump(target, client, latency, jitter);
                } catch (IOException e) {
                  // closed, or one failed connection
                }
              }
            },
            "valentia-latency-proxy-" + listen.getPort());
    acceptor.setDaemon(true);
    acceptor.start();
    return () -> {
      try {
        server.close();
      } catch (IOException e) {
        // nothing more to do
      }
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          // already closed
        }
      }
    };
  }

  /** Copies {@code from} to {@code to}, holding each chunk for the latency. */
  private static void pump(Socket from, Socket to, long latency, long jitter) {
    BlockingQueue<Object[]> queue = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream()) {
                byte[] buffer = new byte[16 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  long delay =
                      latency + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
                  queue.put(
                      new Object[] {
                        System.nanoTime() + delay * 1_000_000L, java.util.Arrays.copyOf(buffer, n)
                      });
                }
              } catch (IOException | InterruptedException e) {
                // closed
              }
              queue.add(new Object[] {0L, null});
            },
            "valentia-latency-in");
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream out = to.getOutputStream()) {
                long last = 0;
                while (true) {
                  Object[] item = queue.take();
                  if (item[1] == null) {
                    to.shutdownOutput();
                    return;
                  }
                  long due = Math.max(last, (long) item[0]);
                  long wait = due - System.nanoTime();
                  if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                  }
                  last = due;
                  out.write((byte[]) item[1]);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // closed
              }
            },
            "valentia-latency-out");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  static InetSocketAddress parse(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port < 0 || port > 65535) {
        return null;
      }
      String host = address.substring(0, colon).replace("[", "").replace("]", "");
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (NumberFormatException | IOException e) {
      return null;
    }
  }
}
