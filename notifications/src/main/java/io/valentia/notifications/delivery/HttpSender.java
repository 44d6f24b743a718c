package io.valentia.notifications.delivery;

import io.valentia.notifications.receiver.Integration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Posts an integration's {@link Integration.Request} over HTTP: JSON, the integration's timeout, no
 * redirects followed. Nothing is sent before {@link #open()}.
 */
final class HttpSender {
  private final Vertx vertx;
  private WebClient client;

  HttpSender(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Creates the HTTP client, on the calling context. */
  void open() {
    client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setUserAgent("Valentia")
                .setFollowRedirects(false)
                .setConnectTimeout(10_000));
  }

  /** Sends {@code request} once; the answer, whatever its status, or the network error. */
  Future<HttpResponse<Buffer>> post(Integration integration, Integration.Request request) {
    HttpRequest<Buffer> http =
        client
            .postAbs(request.url().toString())
            .timeout(integration.timeout().toMillis())
            .putHeader("Content-Type", "application/json");
    request.headers().forEach(http::putHeader);
    return http.sendBuffer(Buffer.buffer(request.body()));
  }

  /** Closes the client, if it was opened; requests in flight are abandoned. */
  void close() {
    if (client != null) {
      client.close();
    }
  }
}
