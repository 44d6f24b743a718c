package io.valentia.chaos.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The TCP side of the built-in proxy: accepts on {@code listen}, connects each client to {@code
 * upstream}, and passes the data both ways with the {@link ProxyEffects}: each chunk held for the
 * latency (in order), sent no faster than the bandwidth, and connections chosen for a reset closed
 * with SO_LINGER 0 (an RST, which the client sees as "Connection reset"). Uses plain threads, two
 * per direction of each connection. {@link #close()} closes the listener and every connection.
 */
final class TcpProxy implements AutoCloseable {
  private static final int QUEUED_CHUNKS = 256;
  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final ProxyEffects effects;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private TcpProxy(ServerSocket server, InetSocketAddress upstream, ProxyEffects effects) {
    this.server = server;
    this.upstream = upstream;
    this.effects = effects;
  }

  /** Listens on {@code listen} and starts accepting. */
  static TcpProxy start(InetSocketAddress listen, InetSocketAddress upstream, ProxyEffects effects)
      throws FaultException {
    ServerSocket server;
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(listen);
    } catch (IOException e) {
      throw new FaultException("cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    TcpProxy proxy = new TcpProxy(server, upstream, effects);
    Thread acceptor = new Thread(proxy::accept, "valentia-tcp-proxy-" + listen.getPort());
    acceptor.setDaemon(true);
    acceptor.start();
    return proxy;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Connection connection = new Connection(client, effects.chooseReset());
        if (connection.resetting && effects.resetAfterBytes() <= 0) {
          connection.reset();
          continue;
        }
        try {
          connection.target.connect(upstream, 5000);
        } catch (IOException e) {
          client.close();
          continue;
        }
        open.add(client);
        open.add(connection.target);
        pump(connection, client, connection.target);
        pump(connection, connection.target, client);
      } catch (IOException e) {
        // closed, or one failed connection
      }
    }
  }

  /** One proxied connection: its two sockets, the bytes passed, whether it is to be reset. */
  private final class Connection {
    final Socket client;
    final Socket target = new Socket();
    final boolean resetting;
    final AtomicLong passed = new AtomicLong();
    final AtomicBoolean reset = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicInteger ended =
        new java.util.concurrent.atomic.AtomicInteger();

    Connection(Socket client, boolean resetting) {
      this.client = client;
      this.resetting = resetting;
    }

    /** How many of {@code n} bytes may pass before the reset; n when no reset is due. */
    int allowance(int n) {
      if (!resetting) {
        return n;
      }
      long left = effects.resetAfterBytes() - passed.get();
      return (int) Math.max(0, Math.min(n, left));
    }

    boolean resetDue() {
      return resetting && passed.get() >= effects.resetAfterBytes();
    }

    /** One direction is done; when both are, closes the sockets. */
    void directionEnded() {
      if (ended.incrementAndGet() == 2) {
        for (Socket s : new Socket[] {client, target}) {
          try {
            s.close();
          } catch (IOException e) {
            // already closed
          }
          open.remove(s);
        }
      }
    }

    /** Closes both sockets with an RST. */
    void reset() {
      if (!reset.compareAndSet(false, true)) {
        return;
      }
      for (Socket s : new Socket[] {client, target}) {
        try {
          if (!s.isClosed()) {
            s.setSoLinger(true, 0);
            s.close();
          }
        } catch (IOException e) {
          // already gone
        }
        open.remove(s);
      }
    }
  }

  /**
   * Copies {@code from} to {@code to}, holding each chunk for the latency and the bandwidth. The
   * end of one direction is passed on as a half-close; the sockets are closed when both have ended.
   * At most {@value #QUEUED_CHUNKS} chunks wait, so a fast sender is slowed down, not buffered.
   */
  private void pump(Connection connection, Socket from, Socket to) {
    BlockingQueue<Object[]> queue = new LinkedBlockingQueue<>(QUEUED_CHUNKS);
    TokenBucket bucket = effects.bucket();
    Thread reader =
        new Thread(
            () -> {
              try {
                InputStream in = from.getInputStream();
                byte[] buffer = new byte[16 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  long due = System.nanoTime() + effects.delayMillis() * 1_000_000L;
                  queue.put(new Object[] {due, Arrays.copyOf(buffer, n)});
                }
              } catch (IOException | InterruptedException e) {
                // closed
              }
              queue.offer(new Object[] {0L, null});
            },
            "valentia-proxy-in");
    Thread writer =
        new Thread(
            () -> {
              try {
                OutputStream out = to.getOutputStream();
                long last = 0;
                while (true) {
                  Object[] item = queue.take();
                  byte[] data = (byte[]) item[1];
                  if (data == null) {
                    to.shutdownOutput();
                    break;
                  }
                  long due = Math.max(last, (long) item[0]);
                  long wait = due - System.nanoTime();
                  if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                  }
                  last = due;
                  int allowed = connection.allowance(data.length);
                  if (bucket != null) {
                    bucket.await(allowed);
                  }
                  out.write(data, 0, allowed);
                  out.flush();
                  connection.passed.addAndGet(allowed);
                  if (connection.resetDue()) {
                    connection.reset();
                    return;
                  }
                }
              } catch (IOException | InterruptedException e) {
                // closed
              }
              connection.directionEnded();
            },
            "valentia-proxy-out");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  @Override
  public void close() {
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
  }
}
