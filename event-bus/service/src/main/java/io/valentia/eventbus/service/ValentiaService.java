package io.valentia.eventbus.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import java.util.List;

/**
 * A service a Valentia process can run: one role ({@code --role NAME}), e.g. {@code web} or {@code
 * probes}. Modules register theirs in {@code
 * META-INF/services/io.valentia.eventbus.service.ValentiaService}; the launcher finds them with
 * {@link java.util.ServiceLoader}, runs every one by default, and only the named ones with {@code
 * --role}.
 */
public interface ValentiaService {

  /** The role's name: lower case, e.g. {@code probes}. */
  String role();

  /** One line for {@code --help} and {@code /health}. */
  String description();

  /** The top-level key of this service's section of the configuration file; the role by default. */
  default String configSection() {
    return role();
  }

  /**
   * Checks this service's configuration section before anything starts.
   *
   * @param section the section; a missing node when the file has none
   * @return every problem, each naming its key relative to the section (e.g. {@code port: must be
   *     an integer}); empty when it is fine
   */
  default List<String> checkConfig(JsonNode section) {
    return List.of();
  }

  /**
   * The paths under {@code /api/v1} this role mounts in {@link ServiceContext#api()} (e.g. {@code
   * /halt}), signed ones included. The {@code web} role of a process that does not run this role
   * forwards requests under these paths to the processes that do; empty when the role serves no
   * API.
   */
  default List<String> apiPaths() {
    return List.of();
  }

  /**
   * Of {@link #apiPaths()}, those mounted with {@link ApiRoutes#mountSigned}: a gateway forwards
   * them without asking for a token, the role checks their signature itself. Empty by default.
   */
  default List<String> signedApiPaths() {
    return List.of();
  }

  /**
   * Services start in ascending order (the web server last, so that it can serve every route the
   * others contributed).
   */
  default int order() {
    return 0;
  }

  /**
   * Called once before {@link #start}, on a thread of its own while the process starts its Kafka
   * broker: loads what the start will need and does not depend on Kafka (native libraries, large
   * class graphs), so that the start, which waits for Kafka, has less to do. Must not touch Kafka,
   * the network or shared state; a failure is only logged. Nothing by default.
   */
  default void prepare() {}

  /**
   * Deploys the service's verticles. The future completes once the service answers; a failed future
   * stops the process's start. The process stops it by closing Vert.x.
   */
  Future<?> start(ServiceContext context);
}
