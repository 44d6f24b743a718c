package io.valentia.web.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Merging the modules' OpenAPI fragments")
class ApiDescriptionTest {

  @Test
  @DisplayName("A fragment's paths join under its server URL, with its components and tags")
  void fragmentJoins() throws Exception {
    ObjectNode document = base();
    List<String> problems = new ArrayList<>();

    ApiDescription.merge(
        document,
        "leases.yaml",
        json(
            """
            {"servers": [{"url": "/api/v1"}], "tags": [{"name": "leases"}],
             "paths": {"/leases/{id}": {"get": {"responses": {"200": {"description": "one"}}}}},
             "components": {"schemas": {"Lease": {"type": "object"}},
                            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
            """),
        problems);

    assertThat(problems).isEmpty();
    assertThat(document.path("paths").has("/api/v1/leases/{id}")).isTrue();
    assertThat(document.path("components").path("schemas").has("Lease")).isTrue();
    assertThat(document.path("tags").toString()).contains("leases");
  }

  @Test
  @DisplayName("Two modules describing one operation or one component differently is a problem")
  void conflictsAreReported() throws Exception {
    ObjectNode document = base();
    List<String> problems = new ArrayList<>();

    ApiDescription.merge(
        document,
        "other.yaml",
        json(
            """
            {"paths": {"/api/v1/whoami": {"get": {"summary": "someone else"}}},
             "components": {"schemas": {"Error": {"type": "string"}}}}
            """),
        problems);

    assertThat(problems)
        .containsExactly(
            "other.yaml: GET /api/v1/whoami is described twice, differently",
            "other.yaml: components.schemas.Error differs from the one another module describes");
  }

  @Test
  @DisplayName("The web module's own document loads when no other module is on the classpath")
  void webAloneLoads() {
    ObjectNode document = ApiDescription.load(ApiDescriptionTest.class.getClassLoader());

    assertThat(document.path("openapi").asText()).startsWith("3.1");
    assertThat(document.path("paths").has("/api/v1/events/stream")).isTrue();
  }

  private static ObjectNode base() throws Exception {
    return (ObjectNode)
        json(
            """
            {"openapi": "3.1.0",
             "paths": {"/api/v1/whoami": {"get": {"summary": "the principal"}}},
             "components": {"schemas": {"Error": {"type": "object"}},
                            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
            """);
  }

  private static JsonNode json(String text) throws Exception {
    return EventCodec.MAPPER.readTree(text);
  }
}
