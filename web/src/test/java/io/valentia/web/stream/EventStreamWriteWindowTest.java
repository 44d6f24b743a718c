package io.valentia.web.stream;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A live stream gathers its frames into one write per window")
class EventStreamWriteWindowTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;
  private HttpServer server;
  private final Map<String, CompletableFuture<EventStream>> opened = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
  private final Map<String, Duration> windows = new ConcurrentHashMap<>();
  private final Map<String, Context> contexts = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EventStreams.Limits limits =
        new EventStreams.Limits(
            100_000, 1 << 20, Duration.ofMinutes(1), Duration.ofMinutes(1), 10, 10);
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  String name = request.path().substring(1);
                  AtomicLong lost = dropped.computeIfAbsent(name, n -> new AtomicLong());
                  EventStream stream =
                      new EventStream(
                          vertx.getOrCreateContext(),
                          request.response(),
                          EventFilter.compile(""),
                          0,
                          limits,
                          "",
                          lost,
                          () -> {},
                          windows.getOrDefault(
                              name, Duration.ofMillis(EventStream.WRITE_WINDOW_MILLIS)));
                  contexts.put(name, vertx.getOrCreateContext());
                  stream.open();
                  opened.computeIfAbsent(name, n -> new CompletableFuture<>()).complete(stream);
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, SECONDS);
  }

  @Test
  @DisplayName(
      "Frames offered one at a time, each followed by a request to drain that the event loop"
          + " runs before the next (as the shared reader asks after every batch), reach the client"
          + " complete and in order: the first at once, the others together when the window ends.")
  void gathersInOrder() throws Exception {
    windows.put("one", Duration.ofSeconds(1));
    try (Reader client = Reader.open(server.actualPort(), "one")) {
      EventStream stream = stream("one");
      Context loop = contexts.get("one");
      stream.offerEvent(frame(0, ""));
      stream.scheduleDrain();
      assertThat(client.ids(1)).as("a quiet stream writes at once").containsExactly(0);
      int count = 100;
      for (int n = 1; n < count; n++) {
        stream.offerEvent(frame(n, ""));
        stream.scheduleDrain();
        // whatever the drain does, it has done it before the next frame comes
        CompletableFuture<Void> ran = new CompletableFuture<>();
        loop.runOnContext(v -> ran.complete(null));
        ran.get(30, SECONDS);
      }
      assertThat(client.ids(count - 1))
          .containsExactlyElementsOf(IntStream.range(1, count).boxed().toList());
      assertThat(client.dropNotices).isZero();
      // one write per frame without the window; two with it (one more per second the loop took)
      assertThat(stream.writes()).as("socket writes for %d frames", count).isLessThan(count / 2);
    }
  }

  @Test
  @DisplayName(
      "A client that stops reading gets its frames dropped for itself only: a client that reads"
          + " gets every frame in order and no drop notice.")
  void slowClientDropsOnlyForItself() throws Exception {
    try (Reader healthy = Reader.open(server.actualPort(), "healthy");
        Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", server.actualPort()));
      OutputStream out = stalled.getOutputStream();
      out.write("GET /stalled HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      EventStream fast = stream("healthy");
      EventStream slow = stream("stalled");

      // 24 MB in batches of 800 kB; the healthy client reads each batch before the next
      String padding = "x".repeat(8000);
      int count = 3000;
      int batch = 100;
      List<Integer> got = new ArrayList<>();
      for (int first = 0; first < count; first += batch) {
        for (int n = first; n < first + batch; n++) {
          byte[] frame = frame(n, padding);
          fast.offerEvent(frame);
          slow.offerEvent(frame);
        }
        fast.scheduleDrain();
        slow.scheduleDrain();
        got.addAll(healthy.ids(batch));
      }
      assertThat(got).containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
      assertThat(healthy.dropNotices).isZero();
      assertThat(dropped.get("healthy").get()).isZero();
      assertThat(dropped.get("stalled").get()).as("dropped for the stalled client").isPositive();
      assertThat(slow.running()).as("the stalled stream is still open (no stall timeout)").isTrue();
    }
  }

  private EventStream stream(String name) throws Exception {
    return opened
        .computeIfAbsent(name, n -> new CompletableFuture<>())
        .get(WAIT.toSeconds(), SECONDS);
  }

  private static byte[] frame(int n, String padding) {
    return ("id: " + n + "\ndata: {\"n\":" + n + ",\"pad\":\"" + padding + "\"}\n\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Reads the stream's lines: the ids of its event frames, and its drop notices. */
  private static final class Reader implements AutoCloseable {
    private static final HttpClient HTTP =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final InputStream body;
    private final BufferedReader lines;
    int dropNotices;

    private Reader(InputStream body) {
      this.body = body;
      this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    static Reader open(int port, String name) throws Exception {
      HttpResponse<InputStream> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + name)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      return new Reader(response.body());
    }

    /** The next {@code count} event ids. */
    List<Integer> ids(int count) throws Exception {
      List<Integer> ids = new ArrayList<>();
      while (ids.size() < count) {
        String line = lines.readLine();
        assertThat(line).as("the stream ended after %d frames", ids.size()).isNotNull();
        if (line.startsWith("id: ")) {
          ids.add(Integer.parseInt(line.substring(4)));
        } else if (line.equals("event: dropped")) {
          dropNotices++;
        }
      }
      return ids;
    }

    @Override
    public void close() throws Exception {
      body.close();
    }
  }
}
