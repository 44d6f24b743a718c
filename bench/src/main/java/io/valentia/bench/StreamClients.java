package io.valentia.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The war room's Server-Sent-Events clients, in a process of their own so that the platform's JVM
 * spends its CPU on the platform only (browsers are elsewhere too). {@link WarRoomBenchmark} starts
 * it and talks to it by lines:
 *
 * <ul>
 *   <li>it prints {@code clock N} ({@link System#nanoTime()} at its start: the parent checks that
 *       both processes read the same clock, the machine's monotonic one) and {@code ready} once
 *       every stream has said {@code ready};
 *   <li>{@code measure FIRST} on its input: count only events numbered {@code FIRST} and after;
 *   <li>{@code finish}: once no stream received anything for 2 s (at most 20 s), it prints {@code
 *       stream I RECEIVED DISTINCT DROP_NOTICES DROPPED_EVENTS SUMMARIZED ENDED} per stream, {@code
 *       latency BUCKET COUNT} per non-empty 0.1 ms bucket, {@code cpu SECONDS} (its own CPU since
 *       {@code measure}) and {@code done}.
 * </ul>
 *
 * <p>Each event's id is {@code b<seq>t<nanoTime at publish>}: the latency is this process's {@code
 * System.nanoTime()} when it reads the {@code data:} line less the one in the id.
 *
 * <p>Usage: {@code StreamClients PORT TOKEN SCENARIO STREAMS FILTERS}.
 */
public final class StreamClients {
  private static final byte[] ID_MARK = "\"id\":\"b".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DROPPED_MARK = "\"dropped\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MATCHED_MARK = "\"matched\":".getBytes(StandardCharsets.US_ASCII);
  static final int BUCKETS = 100_001; // 0.1 ms buckets up to 10 s

  private StreamClients() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    out.println("clock " + System.nanoTime());
    out.flush();
    int port = Integer.parseInt(args[0]);
    String token = args[1];
    String scenario = args[2];
    int streams = Integer.parseInt(args[3]);
    int filters = Integer.parseInt(args[4]);
    long[] histogram = new long[BUCKETS];
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      clients.add(Client.open(port, token, scenario, i, filters, histogram));
    }
    for (Client client : clients) {
      client.awaitReady();
    }
    out.println("ready");
    out.flush();
    long cpuAtStart = cpuNanos();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.startsWith("measure ")) {
        long first = Long.parseLong(line.substring(8).trim());
        for (Client client : clients) {
          client.startMeasuring(first);
        }
        synchronized (histogram) {
          java.util.Arrays.fill(histogram, 0);
        }
        cpuAtStart = cpuNanos();
      } else if (line.equals("finish")) {
        awaitQuiet(clients);
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < clients.size(); i++) {
          Client c = clients.get(i);
          report
              .append("stream ")
              .append(i)
              .append(' ')
              .append(c.received.get())
              .append(' ')
              .append(c.distinctCount())
              .append(' ')
              .append(c.dropNotices.get())
              .append(' ')
              .append(c.droppedEvents.get())
              .append(' ')
              .append(c.summarized.get())
              .append(' ')
              .append(c.ended.get())
              .append('\n');
        }
        synchronized (histogram) {
          for (int b = 0; b < histogram.length; b++) {
            if (histogram[b] > 0) {
              report.append("latency ").append(b).append(' ').append(histogram[b]).append('\n');
            }
          }
        }
        report.append(
            String.format(java.util.Locale.ROOT, "cpu %.3f%n", (cpuNanos() - cpuAtStart) / 1e9));
        report.append("done\n");
        out.print(report);
        out.flush();
      }
    }
    clients.forEach(Client::close);
    System.exit(0);
  }

  /** Until no stream received anything for 2 s, at most 20 s. */
  private static void awaitQuiet(List<Client> clients) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long last = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline
        && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(2)) {
      long now = clients.stream().mapToLong(c -> c.seen.get()).sum();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
      Thread.sleep(100);
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One SSE client that scans the bytes it reads (no JSON parsing), on a thread of its own. */
  static final class Client {
    /** HTTP/1.1, as a browser's EventSource over plain HTTP; one connection per stream. */
    private static final HttpClient HTTP =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final AtomicBoolean ended = new AtomicBoolean();
    final AtomicLong received = new AtomicLong();
    final AtomicLong seen = new AtomicLong();
    final AtomicLong dropNotices = new AtomicLong();
    final AtomicLong droppedEvents = new AtomicLong();
    final AtomicLong summarized = new AtomicLong();
    private final BitSet distinct = new BitSet();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final long[] histogram;
    private volatile long measureFrom = Long.MAX_VALUE;
    private HttpResponse<InputStream> response;

    private Client(long[] histogram) {
      this.histogram = histogram;
    }

    static Client open(
        int port, String token, String scenario, int index, int filters, long[] histogram)
        throws Exception {
      String query =
          switch (scenario) {
            case "selective" ->
                "filter="
                    + URLEncoder.encode(
                        "subject == \"hmd-" + (index % filters) + "\"", StandardCharsets.UTF_8);
            case "sampled" -> "sample=200";
            default -> "";
          };
      Client client = new Client(histogram);
      client.response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/api/v1/events/stream?" + query))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      if (client.response.statusCode() != 200) {
        throw new IllegalStateException(
            "stream " + index + " answered " + client.response.statusCode());
      }
      Thread thread = new Thread(client::read, "bench-sse-client-" + index);
      thread.setDaemon(true);
      thread.start();
      return client;
    }

    void awaitReady() throws InterruptedException {
      if (!ready.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("a stream never said it was ready");
      }
    }

    /** Counts only events numbered {@code first} and after (the warm-up is over). */
    void startMeasuring(long first) {
      synchronized (distinct) {
        distinct.clear();
      }
      received.set(0);
      dropNotices.set(0);
      droppedEvents.set(0);
      summarized.set(0);
      measureFrom = first;
    }

    long distinctCount() {
      synchronized (distinct) {
        return distinct.cardinality();
      }
    }

    void close() {
      try {
        response.body().close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }

    private void read() {
      byte[] buffer = new byte[1 << 17];
      int filled = 0;
      String event = null;
      try (InputStream in = response.body()) {
        while (true) {
          int n = in.read(buffer, filled, buffer.length - filled);
          if (n < 0) {
            ended.set(true);
            return;
          }
          filled += n;
          int lineStart = 0;
          for (int i = 0; i < filled; i++) {
            if (buffer[i] != '\n') {
              continue;
            }
            int length = i - lineStart;
            if (length == 0) {
              event = null;
            } else if (startsWith(buffer, lineStart, "event: ")) {
              event = new String(buffer, lineStart + 7, length - 7, StandardCharsets.US_ASCII);
              if (event.equals("ready")) {
                ready.countDown();
              }
            } else if (startsWith(buffer, lineStart, "data: ")) {
              data(buffer, lineStart, i, event);
            }
            lineStart = i + 1;
          }
          System.arraycopy(buffer, lineStart, buffer, 0, filled - lineStart);
          filled -= lineStart;
        }
      } catch (IOException closed) {
        ended.set(true); // the run is over, or the server cut the stream off
      }
    }

    private void data(byte[] line, int from, int to, String event) {
      long now = System.nanoTime();
      if (event == null) {
        seen.incrementAndGet();
        int at = indexAfter(line, from, to, ID_MARK);
        if (at < 0) {
          return;
        }
        long seq = 0;
        while (at < to && line[at] >= '0' && line[at] <= '9') {
          seq = seq * 10 + (line[at++] - '0');
        }
        if (seq < measureFrom || at >= to || line[at] != 't') {
          return;
        }
        long sent = 0;
        boolean negative = line[++at] == '-';
        if (negative) {
          at++;
        }
        while (at < to && line[at] >= '0' && line[at] <= '9') {
          sent = sent * 10 + (line[at++] - '0');
        }
        if (negative) {
          sent = -sent;
        }
        received.incrementAndGet();
        synchronized (distinct) {
          distinct.set((int) seq);
        }
        long latency = now - sent;
        int bucket = (int) Math.min(histogram.length - 1, Math.max(0, latency / 100_000));
        synchronized (histogram) {
          histogram[bucket]++;
        }
      } else if (event.equals("dropped")) {
        dropNotices.incrementAndGet();
        droppedEvents.addAndGet(Math.max(0, numberAfter(line, from, to, DROPPED_MARK)));
      } else if (event.equals("summary")) {
        seen.incrementAndGet();
        summarized.addAndGet(Math.max(0, numberAfter(line, from, to, MATCHED_MARK)));
      }
    }

    private static boolean startsWith(byte[] buffer, int at, String prefix) {
      if (at + prefix.length() > buffer.length) {
        return false;
      }
      for (int i = 0; i < prefix.length(); i++) {
        if (buffer[at + i] != prefix.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    /** The index right after {@code mark} in {@code line[from, to)}; -1 if it is not there. */
    private static int indexAfter(byte[] line, int from, int to, byte[] mark) {
      outer:
      for (int i = from; i + mark.length <= to; i++) {
        for (int j = 0; j < mark.length; j++) {
          if (line[i + j] != mark[j]) {
            continue outer;
          }
        }
        return i + mark.length;
      }
      return -1;
    }

    /** The decimal number right after {@code mark} in {@code line[from, to)}; -1 if none. */
    private static long numberAfter(byte[] line, int from, int to, byte[] mark) {
      int k = indexAfter(line, from, to, mark);
      if (k < 0 || k >= to || line[k] < '0' || line[k] > '9') {
        return -1;
      }
      long value = 0;
      while (k < to && line[k] >= '0' && line[k] <= '9') {
        value = value * 10 + (line[k++] - '0');
      }
      return value;
    }
  }
}
