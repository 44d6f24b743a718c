package io.valentia.postmortem.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code valentia search [--postmortems] QUERY}: searches the running platform's record. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = {
      "Search the indexed events (or, with --postmortems, the postmortems) of a running platform"
          + " with Lucene query syntax, e.g. 'type:io.valentia.probe.mtu.mismatch.v1 AND"
          + " host:osd-12' or 'frame dropped'. Fields: type, severity, subject, source, host,"
          + " service, experimentid, incidentid, data.PATH (exact) and the full text.",
      "Exit 0 when something matched, 1 when nothing did or the platform is unreachable, 2 on a"
          + " bad query."
    })
public final class SearchCommand implements Callable<Integer> {
  @Mixin ApiOptions platform;

  @Parameters(paramLabel = "QUERY", arity = "1..*", description = "the query")
  String[] query;

  @Option(names = "--postmortems", description = "search postmortems instead of events")
  boolean postmortems;

  @Option(names = "--from", paramLabel = "INSTANT", description = "events at or after, ISO-8601")
  String from;

  @Option(names = "--to", paramLabel = "INSTANT", description = "events before, ISO-8601")
  String to;

  @Option(names = "--size", paramLabel = "N", description = "hits to show (default 20)")
  Integer size;

  @Option(
      names = "--sort",
      paramLabel = "ORDER",
      description = "newest (default), oldest, relevance")
  String sort;

  @Option(names = "--json", description = "print the API's JSON answer as it is")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    StringBuilder path =
        new StringBuilder("/api/v1" + (postmortems ? "/postmortems/search" : SearchRoutes.PATH))
            .append("?q=")
            .append(encode(String.join(" ", query)));
    append(path, "from", from);
    append(path, "to", to);
    append(path, "size", size == null ? null : size.toString());
    append(path, "sort", sort);
    PlatformClient.Answer answer = platform.get(path.toString());
    if (answer.status() == 400) {
      throw new ParameterException(spec.commandLine(), answer.body().path("error").asText());
    }
    if (answer.status() != 200) {
      throw new ValentiaException(
          "the platform answered " + answer.status() + ": " + answer.body().path("error").asText());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(answer.body());
    } else {
      print(answer.body(), out);
    }
    out.flush();
    return answer.body().path("total").asLong() > 0 ? 0 : 1;
  }

  /** Prints a page for people: one line per hit, then the facet counts. */
  static void print(JsonNode page, PrintWriter out) {
    out.printf("%d matching%n", page.path("total").asLong());
    for (JsonNode hit : page.path("hits")) {
      JsonNode event = hit.path("source");
      out.printf(
          "%s  %-8s %-44s %s%n",
          hit.path("time").asText(),
          event.path("severity").asText("info"),
          event.path("type").asText(event.path("title").asText()),
          event.path("subject").asText(""));
      if (hit.hasNonNull("snippet")) {
        out.println("    " + hit.path("snippet").asText().replace("<b>", "[").replace("</b>", "]"));
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = page.path("facets").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> facet = it.next();
      if (facet.getValue().isEmpty()) {
        continue;
      }
      StringBuilder line = new StringBuilder("  " + facet.getKey() + ":");
      for (JsonNode count : facet.getValue()) {
        line.append(' ')
            .append(count.path("value").asText())
            .append('(')
            .append(count.path("count").asLong())
            .append(')');
      }
      out.println(line);
    }
  }

  private static void append(StringBuilder path, String name, String value) {
    if (value != null) {
      path.append('&').append(name).append('=').append(encode(value));
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
