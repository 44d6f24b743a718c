package io.valentia.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bound on reading a request's headers: a connection must deliver complete headers within the
 * deadline of opening, and again of each answer's end, or it is closed. An idle timeout alone lets
 * a client that sends a header byte every few seconds hold a connection for ever; this does not.
 * The time a handler takes to answer and a live stream's life do not count. Thread-safe.
 */
final class HeaderDeadline {
  private final Vertx vertx;
  private final long millis;
  private final Map<HttpConnection, Long> timers = new ConcurrentHashMap<>();

  HeaderDeadline(Vertx vertx, Duration deadline) {
    this.vertx = vertx;
    this.millis = Math.max(1, deadline.toMillis());
  }

  /** A connection opened: its first request's headers are due. */
  void opened(HttpConnection connection) {
    connection.closeHandler(v -> disarm(connection));
    arm(connection);
  }

  /** A request's headers are in. */
  void headersIn(HttpServerRequest request) {
    disarm(request.connection());
  }

  /**
   * The answer ended: on HTTP/1 the next request's headers are due (an HTTP/2 connection carries
   * other requests meanwhile, and its first headers were in already).
   */
  void answered(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2) {
      arm(request.connection());
    }
  }

  private void arm(HttpConnection connection) {
    long timer =
        vertx.setTimer(
            millis,
            id -> {
              if (timers.remove(connection, id)) {
                connection.close();
              }
            });
    Long previous = timers.put(connection, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  private void disarm(HttpConnection connection) {
    if (connection == null) {
      return;
    }
    Long timer = timers.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
