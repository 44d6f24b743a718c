package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI document at {@code /api/v1/openapi.json} of the all-in-one platform (the {@link
 * SharedPlatform}: every role of this build) against the routes its web server really answers: each
 * route is described, each described operation is routed, and the document is valid OpenAPI 3.
 */
@DisplayName("The OpenAPI document of the all-in-one platform")
@ExtendWith(SharedPlatform.Resolver.class)
class OpenApiIT {
  private static final Set<String> OPERATIONS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private static Platform platform;
  private static JsonObject document;

  @BeforeAll
  static void start(SharedPlatform shared) throws Exception {
    platform = shared.platform();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + platform.httpPort() + "/api/v1/openapi.json"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    document = new JsonObject(response.body());
  }

  @Test
  @DisplayName("Every route the platform mounts under /api/v1 is described in the document")
  void everyRouteIsDescribed() {
    List<String> routes = platform.apiRoutes();
    assertThat(routes)
        .as("the platform runs every module's routes")
        .contains(
            "GET /api/v1/leases",
            "POST /api/v1/halt",
            "GET /api/v1/postmortems",
            "GET /api/v1/notifications",
            "GET /api/v1/silences",
            "POST /api/v1/experiments/runs");
    Set<String> described = described();
    assertThat(routes.stream().filter(r -> !described.contains(r)).toList())
        .as("routes the document does not describe")
        .isEmpty();
  }

  @Test
  @DisplayName("Every operation the document describes is a route the platform answers")
  void everyDescriptionIsRouted() {
    Set<String> routes = new TreeSet<>(platform.apiRoutes());
    assertThat(described().stream().filter(d -> !routes.contains(d)).toList())
        .as("operations described that no route answers")
        .isEmpty();
  }

  @Test
  @DisplayName("The merged document is a valid OpenAPI 3 contract")
  void documentIsValidOpenApi() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // the schema check of OpenAPIContract.from, without its refusal of media types it cannot
      // validate requests of (CloudEvents, forms, YAML)
      OpenAPIVersion version = OpenAPIVersion.fromContract(document);
      assertThat(version).isEqualTo(OpenAPIVersion.V3_1);
      SchemaRepository schemas = await(version.getRepository(vertx, "app:///"));
      OutputUnit result = await(version.validateContract(vertx, schemas, document.copy()));
      assertThat(result.getValid()).as("validation errors: %s", result.getErrors()).isTrue();
      assertThat(document.getJsonObject("paths").size()).isGreaterThan(40);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The document's operations as {@code METHOD /path}, without a trailing slash. */
  private static Set<String> described() {
    Set<String> out = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      String normal =
          path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      for (Iterator<String> it = paths.getJsonObject(path).fieldNames().iterator();
          it.hasNext(); ) {
        String method = it.next();
        if (OPERATIONS.contains(method)) {
          out.add(method.toUpperCase() + " " + normal);
        }
      }
    }
    return out;
  }
}
