package io.valentia.notifications.delivery;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A webhook receiver: a small Vert.x HTTP server that records what it gets and answers as told. */
final class FakeReceiver implements AutoCloseable {
  /** A request as received and what it was answered. */
  record Received(String path, MultiMap headers, String body, int answered) {
    String notificationId() {
      return headers.get("X-Valentia-Notification-Id");
    }
  }

  /** An answer. */
  record Answer(int status, Map<String, String> headers, String body) {
    static Answer ok() {
      return new Answer(200, Map.of(), "ok");
    }

    /** No answer at all: the request times out. */
    static Answer never() {
      return new Answer(-1, Map.of(), "");
    }

    static Answer status(int status) {
      return new Answer(status, Map.of(), "status " + status);
    }
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private volatile Function<Received, Answer> answers = r -> Answer.ok();

  FakeReceiver(Vertx vertx) throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              Received probe =
                                  new Received(req.path(), req.headers(), body.toString(), 0);
                              Answer a = answers.apply(probe);
                              received.add(
                                  new Received(
                                      req.path(), req.headers(), body.toString(), a.status()));
                              if (a.status() < 0) {
                                return; // never answers
                              }
                              var response = req.response().setStatusCode(a.status());
                              a.headers().forEach(response::putHeader);
                              response.end(a.body());
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  void answer(Function<Received, Answer> answers) {
    this.answers = answers;
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + path);
  }

  /** The ids answered 2xx, in the order they were answered. */
  List<String> delivered() {
    return received.stream()
        .filter(r -> r.answered() / 100 == 2)
        .map(Received::notificationId)
        .toList();
  }

  List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
