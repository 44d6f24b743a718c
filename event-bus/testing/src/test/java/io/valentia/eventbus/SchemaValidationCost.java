package io.valentia.eventbus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.testing.SampleEvents;

/**
 * Prints what the schema check says about every broken sample of the contract tests, and how many
 * microseconds one check of each type's sample payload takes once warmed up. Run by hand (a main,
 * not a test): it measures, it asserts nothing.
 */
final class SchemaValidationCost {
  private static final int WARMUP = 20_000;
  private static final int ROUNDS = 50_000;

  private SchemaValidationCost() {}

  public static void main(String[] args) {
    EventSchemas schemas = EventSchemas.load();
    EventContractTest.breakages()
        .forEach(
            breakage -> {
              ObjectNode data =
                  EventCodec.MAPPER.valueToTree(SampleEvents.payload(breakage.type()));
              breakage.breaker().accept(data);
              System.out.println(
                  breakage.type().type()
                      + " / "
                      + breakage.what()
                      + " -> "
                      + schemas.validate(breakage.type(), data));
            });
    if (args.length > 0 && args[0].equals("messages")) {
      return;
    }
    double total = 0;
    for (EventType type : EventType.values()) {
      JsonNode data = EventCodec.MAPPER.valueToTree(SampleEvents.payload(type));
      JsonNode minimal = EventCodec.MAPPER.valueToTree(SampleEvents.minimal(type));
      if (!schemas.validate(type, data).isEmpty() || !schemas.validate(type, minimal).isEmpty()) {
        throw new IllegalStateException("sample of " + type + " is not valid");
      }
      int problems = 0;
      for (int i = 0; i < WARMUP; i++) {
        problems += schemas.validate(type, data).size();
      }
      long start = System.nanoTime();
      for (int i = 0; i < ROUNDS; i++) {
        problems += schemas.validate(type, data).size();
      }
      double micros = (System.nanoTime() - start) / 1000.0 / ROUNDS;
      total += micros;
      System.out.printf("%-45s %8.2f us%s%n", type.type(), micros, problems == 0 ? "" : " (!)");
    }
    System.out.printf("%-45s %8.2f us%n", "mean over types", total / EventType.values().length);
  }
}
