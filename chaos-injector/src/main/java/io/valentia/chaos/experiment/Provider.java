package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What an activity calls: one of the provider types an experiment may name. */
public sealed interface Provider {

  /**
   * The provider's {@code type} as written: {@code http}, {@code process}, {@code python}, {@code
   * valentia}.
   */
  String type();

  /**
   * An HTTP call. Output: {@code {"status": int, "headers": {...}, "body": text or JSON}}.
   *
   * @param url the URL
   * @param method the HTTP method, upper case
   * @param headers request headers
   * @param arguments query parameters for GET/HEAD/DELETE, else the JSON body; null when none
   * @param timeout the whole call's limit; null for the configured default ({@code
   *     chaos.providerTimeout})
   * @param expectedStatus the status the call must answer with; null to accept any
   */
  record Http(
      String url,
      String method,
      Map<String, String> headers,
      JsonNode arguments,
      Duration timeout,
      Integer expectedStatus)
      implements Provider {
    @Override
    public String type() {
      return "http";
    }
  }

  /**
   * A process run on this machine, without a shell, with a clean environment. Output: {@code
   * {"status": exit code, "stdout", "stderr"}}.
   *
   * @param path the executable
   * @param arguments its arguments
   * @param timeout after which it is killed and the activity fails; null for the configured default
   *     ({@code chaos.providerTimeout})
   * @param env the variables it gets besides {@code PATH} (Valentia's {@code env} key); nothing of
   *     the injector's environment is passed on
   */
  record Process(String path, List<String> arguments, Duration timeout, Map<String, String> env)
      implements Provider {
    /** A process with nothing in its environment but {@code PATH}. */
    public Process(String path, List<String> arguments, Duration timeout) {
      this(path, arguments, timeout, Map.of());
    }

    @Override
    public String type() {
      return "process";
    }
  }

  /** A Python function: Valentia cannot run these, and refuses experiments that need one. */
  record Python(String module, String func) implements Provider {
    @Override
    public String type() {
      return "python";
    }
  }

  /**
   * One of Valentia's faults, injected on this machine for its {@code duration}, then reverted.
   *
   * @param fault the fault's name, e.g. {@code process-pause}
   * @param arguments its arguments, including {@code duration}
   */
  record Fault(String fault, JsonNode arguments) implements Provider {
    @Override
    public String type() {
      return "valentia";
    }
  }

  /**
   * One of Valentia's event-query probes over {@code valentia.events}.
   *
   * @param probe the probe's name, e.g. {@code event-count}
   * @param arguments its arguments
   */
  record EventProbe(String probe, JsonNode arguments) implements Provider {
    @Override
    public String type() {
      return "valentia";
    }
  }
}
