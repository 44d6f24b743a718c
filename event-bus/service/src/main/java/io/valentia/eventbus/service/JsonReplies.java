package io.valentia.eventbus.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/** The JSON bodies of a service's API: reading a request's, answering with one. */
public final class JsonReplies {
  private JsonReplies() {}

  /** The request's JSON body; an empty object when there is none or it is not JSON. */
  public static JsonNode body(RoutingContext rc) {
    try {
      String text = rc.body() == null ? null : rc.body().asString();
      return text == null || text.isBlank()
          ? EventCodec.MAPPER.createObjectNode()
          : EventCodec.MAPPER.readTree(text);
    } catch (IOException e) {
      return EventCodec.MAPPER.createObjectNode();
    }
  }

  /** {@code {"error": message}}. */
  public static ObjectNode error(String message) {
    return EventCodec.MAPPER.createObjectNode().put("error", message);
  }

  /** Ends the exchange with {@code status} and {@code body} as {@code application/json}. */
  public static void json(RoutingContext rc, int status, JsonNode body) {
    rc.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }
}
