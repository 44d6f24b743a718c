package io.valentia.web.stream;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A Server-Sent Events client for tests: parses frames as a browser's EventSource does. */
final class SseClient implements AutoCloseable {
  /** One frame: {@code event} is "message" when the frame named none; comments are collected. */
  record Frame(String event, String id, String data, List<String> comments) {}

  private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<HttpResponse<Stream<String>>> response;
  private volatile Stream<String> lines;

  private SseClient(CompletableFuture<HttpResponse<Stream<String>>> response) {
    this.response = response;
  }

  static SseClient open(URI uri, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    headers.forEach(request::header);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    SseClient sse =
        new SseClient(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()));
    sse.response.thenAccept(
        r -> {
          sse.lines = r.body();
          Thread reader = new Thread(() -> sse.parse(r.body()), "sse-test-client");
          reader.setDaemon(true);
          reader.start();
        });
    return sse;
  }

  int status() throws Exception {
    return response.get(15, TimeUnit.SECONDS).statusCode();
  }

  /** The next frame that is not only a comment, waiting up to {@code timeout}; null when none. */
  Frame next(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (frame == null || frame.data() != null) {
        return frame;
      }
    }
  }

  /** The next frame, comment-only frames included. */
  Frame nextAny(Duration timeout) throws InterruptedException {
    return frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void parse(Stream<String> body) {
    String event = null;
    String id = null;
    StringBuilder data = null;
    List<String> comments = new ArrayList<>();
    try {
      for (String line : (Iterable<String>) body::iterator) {
        if (line.isEmpty()) {
          if (data != null || !comments.isEmpty()) {
            frames.add(
                new Frame(
                    event == null ? "message" : event,
                    id,
                    data == null ? null : data.toString(),
                    List.copyOf(comments)));
          }
          event = null;
          id = null;
          data = null;
          comments.clear();
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1).trim());
        } else if (line.startsWith("data:")) {
          String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
          data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        }
      }
    } catch (RuntimeException closed) {
      // the connection ended
    }
  }

  @Override
  public void close() {
    response.cancel(true);
    Stream<String> l = lines;
    if (l != null) {
      l.close();
    }
  }
}
