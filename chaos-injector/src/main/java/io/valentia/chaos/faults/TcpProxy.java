package io.valentia.chaos.faults;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The TCP side of the built-in proxy: accepts on {@code listen}, connects each client to {@code
 * upstream}, and passes the data both ways with the {@link ProxyEffects}: each chunk held for the
 * latency (in order), sent no faster than the bandwidth, and connections chosen for a reset closed
 * with SO_LINGER 0 (an RST, which the client sees as "Connection reset"). The end of one direction
 * is passed on as a half-close; a connection is closed when both directions have ended.
 *
 * <p>Runs on a Vert.x {@link NetServer} and {@link NetClient} of its own {@link ProxyRuntime} (one
 * event loop thread, whatever the number of connections). Half-closing, reading on demand and
 * resetting are not in Vert.x's socket API, so they are done on the socket's Netty channel. {@link
 * #close()} closes the listener and every connection.
 */
final class TcpProxy implements AutoCloseable {
  private static final int QUEUED_CHUNKS = 256;
  private static final int CONNECT_TIMEOUT_MILLIS = 5000;

  private final ProxyRuntime runtime;
  private final NetClient client;
  private final InetSocketAddress upstream;
  private final ProxyEffects effects;

  private TcpProxy(ProxyRuntime runtime, InetSocketAddress upstream, ProxyEffects effects) {
    this.runtime = runtime;
    this.upstream = upstream;
    this.effects = effects;
    this.client =
        runtime
            .vertx()
            .createNetClient(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS));
  }

  /** Listens on {@code listen} and starts accepting. */
  static TcpProxy start(InetSocketAddress listen, InetSocketAddress upstream, ProxyEffects effects)
      throws FaultException {
    ProxyRuntime runtime = ProxyRuntime.start();
    TcpProxy proxy = new TcpProxy(runtime, upstream, effects);
    try {
      runtime.await(
          runtime
              .vertx()
              .createNetServer(new NetServerOptions().setReuseAddress(true))
              .connectHandler(proxy::accept)
              .listen(listen.getPort(), listen.getAddress().getHostAddress()));
    } catch (Exception e) {
      runtime.close();
      throw new FaultException("cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    return proxy;
  }

  private void accept(NetSocket socket) {
    NetSocketInternal accepted = (NetSocketInternal) socket;
    boolean resetting = effects.chooseReset();
    if (resetting && effects.resetAfterBytes() <= 0) {
      reset(accepted);
      return;
    }
    new Connection(accepted, resetting).connect();
  }

  /** One proxied connection: its two sockets, the bytes passed, whether it is to be reset. */
  private final class Connection {
    final NetSocketInternal client;
    NetSocketInternal target;
    final boolean resetting;
    long passed;
    boolean reset;
    int ended;

    Connection(NetSocketInternal client, boolean resetting) {
      this.client = client;
      this.resetting = resetting;
    }

    /** Holds the client's data until upstream answers, then pumps both ways. */
    void connect() {
      Pump up = new Pump(this, client);
      allowHalfClosure(client);
      readOnDemand(client, false);
      TcpProxy.this
          .client
          .connect(upstream.getPort(), upstream.getAddress().getHostAddress())
          .onComplete(
              connected -> {
                if (connected.failed()) {
                  client.close();
                  return;
                }
                target = (NetSocketInternal) connected.result();
                allowHalfClosure(target);
                new Pump(this, target).to(client);
                up.to(target);
              });
    }

    /** How many of {@code n} bytes may pass before the reset; n when no reset is due. */
    int allowance(int n) {
      if (!resetting) {
        return n;
      }
      long left = effects.resetAfterBytes() - passed;
      return (int) Math.max(0, Math.min(n, left));
    }

    boolean resetDue() {
      return resetting && passed >= effects.resetAfterBytes();
    }

    /** One direction is done; when both are, closes the sockets. */
    void directionEnded() {
      if (++ended == 2) {
        client.close();
        target.close();
      }
    }

    /** Closes both sockets with an RST. */
    void reset() {
      if (reset) {
        return;
      }
      reset = true;
      TcpProxy.reset(client);
      TcpProxy.reset(target);
    }
  }

  /**
   * One direction of a connection: reads {@code from}, holds each chunk for the latency and the
   * bandwidth, and writes it to the other socket. The end of {@code from} is passed on as a
   * half-close. At most {@value #QUEUED_CHUNKS} chunks wait, and no more is read while the other
   * socket's write queue is full, so a fast sender is slowed down, not buffered.
   */
  private final class Pump {
    private static final Buffer END = Buffer.buffer();

    private final Connection connection;
    private final NetSocketInternal from;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private final TokenBucket bucket = effects.bucket();
    private NetSocketInternal to;
    private Future<Void> lastWrite = Future.succeededFuture();
    private long last;
    private boolean busy;
    private boolean inputEnded;
    private boolean done;

    Pump(Connection connection, NetSocketInternal from) {
      this.connection = connection;
      this.from = from;
      from.exceptionHandler(e -> {}); // a reset or a closed peer: the end of this direction
      from.handler(this::received);
      from.eventHandler(
          event -> {
            if (event instanceof ChannelInputShutdownEvent) {
              inputEnded();
            }
          });
      from.closeHandler(v -> inputEnded());
    }

    /** Starts writing to {@code to} (and reading {@code from}). */
    void to(NetSocketInternal to) {
      this.to = to;
      readOnDemand(from, true);
      next();
    }

    private void received(Buffer data) {
      long due = System.nanoTime() + effects.delayMillis() * 1_000_000L;
      queue.add(new Chunk(due, data));
      if (queue.size() >= QUEUED_CHUNKS) {
        readOnDemand(from, false);
      }
      next();
    }

    private void inputEnded() {
      if (!inputEnded) {
        inputEnded = true;
        queue.add(new Chunk(0L, END));
        next();
      }
    }

    /** Sends the oldest chunk when it is due and the bandwidth allows, then the next one. */
    private void next() {
      if (busy || done || to == null || connection.reset || queue.isEmpty()) {
        return;
      }
      busy = true;
      Chunk chunk = queue.peek();
      long due = Math.max(last, chunk.due());
      last = due;
      runtime.after(
          due - System.nanoTime(),
          () -> {
            Buffer data = chunk.data();
            if (data == END) {
              queue.poll();
              end();
              return;
            }
            int allowed = connection.allowance(data.length());
            runtime.after(bucket == null ? 0 : bucket.take(allowed), () -> send(data, allowed));
          });
    }

    private void send(Buffer data, int allowed) {
      queue.poll();
      if (done || connection.reset) {
        return;
      }
      if (!inputEnded && queue.size() < QUEUED_CHUNKS) {
        readOnDemand(from, true);
      }
      lastWrite = to.write(allowed == data.length() ? data : data.getBuffer(0, allowed));
      lastWrite.onFailure(e -> failed());
      connection.passed += allowed;
      if (connection.resetDue()) {
        done = true;
        lastWrite.onComplete(written -> connection.reset());
        return;
      }
      if (to.writeQueueFull()) {
        to.drainHandler(
            v -> {
              busy = false;
              next();
            });
      } else {
        busy = false;
        next();
      }
    }

    /** {@code from} has ended: half-closes {@code to} once all written, and ends the direction. */
    private void end() {
      done = true;
      lastWrite.onComplete(
          written -> {
            if (to.channelHandlerContext().channel() instanceof DuplexChannel duplex) {
              duplex.shutdownOutput();
            }
            connection.directionEnded();
          });
    }

    /** {@code to} refused a write (closed or reset): the direction ends there. */
    private void failed() {
      if (!done) {
        done = true;
        readOnDemand(from, false);
        connection.directionEnded();
      }
    }
  }

  /** Data read at one time, and when it is due to be passed on ({@link System#nanoTime()}). */
  private record Chunk(long due, Buffer data) {}

  /** Keeps a socket open for writing when its peer ends its side (a half-close). */
  private static void allowHalfClosure(NetSocketInternal socket) {
    channel(socket).config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
  }

  /**
   * Reads from {@code socket} or stops reading: its data and its end then wait in the kernel, in
   * order (the socket's own pause would let the end overtake data it holds).
   */
  private static void readOnDemand(NetSocketInternal socket, boolean read) {
    channel(socket).config().setAutoRead(read);
  }

  /** Closes {@code socket} with an RST. */
  private static void reset(NetSocketInternal socket) {
    channel(socket).config().setOption(ChannelOption.SO_LINGER, 0);
    socket.close();
  }

  private static Channel channel(NetSocketInternal socket) {
    return socket.channelHandlerContext().channel();
  }

  /** Closes the listener and every connection (and so every timer); waits until they are. */
  @Override
  public void close() {
    runtime.close();
  }
}
