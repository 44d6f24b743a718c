package io.valentia.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a phase's CPU time went, by thread group: samples every thread's CPU time every 100 ms
 * (short-lived threads such as Lucene's merge threads are caught while they live) and reports the
 * process's total beside the groups, so what no sample saw shows as "unsampled".
 */
final class CpuSampler implements AutoCloseable {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final Map<Long, Long> startCpu = new HashMap<>();
  private final Map<Long, Long> lastCpu = new HashMap<>();
  private final Map<Long, String> names = new HashMap<>();
  private final Map<String, Long> vmStart = vmThreadCpu();
  private final long processStart;
  private final long wallStart = System.nanoTime();
  private final Thread sampler;
  private volatile boolean running = true;

  CpuSampler() {
    processStart = os.getProcessCpuTime();
    synchronized (this) {
      for (long id : threads.getAllThreadIds()) {
        long cpu = threads.getThreadCpuTime(id);
        if (cpu >= 0) {
          startCpu.put(id, cpu);
        }
      }
    }
    sampler = new Thread(this::loop, "bench-cpu-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void loop() {
    while (running) {
      sample();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void sample() {
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        lastCpu.put(info.getThreadId(), cpu);
        names.putIfAbsent(info.getThreadId(), info.getThreadName());
      }
    }
  }

  /** Stops sampling; returns one line per group of CPU seconds and share of the phase's wall. */
  String report(String phase) {
    running = false;
    sampler.interrupt();
    sample();
    double wall = (System.nanoTime() - wallStart) / 1e9;
    double process = (os.getProcessCpuTime() - processStart) / 1e9;
    Map<String, Double> groups = new TreeMap<>();
    double seen = 0;
    synchronized (this) {
      for (Map.Entry<Long, Long> e : lastCpu.entrySet()) {
        double cpu = (e.getValue() - startCpu.getOrDefault(e.getKey(), 0L)) / 1e9;
        if (cpu > 0) {
          groups.merge(group(names.get(e.getKey())), cpu, Double::sum);
          seen += cpu;
        }
      }
    }
    Map<String, Long> vmEnd = vmThreadCpu();
    for (Map.Entry<String, Long> e : vmEnd.entrySet()) {
      double cpu = (e.getValue() - vmStart.getOrDefault(e.getKey(), 0L)) / 1e9;
      if (cpu > 0) {
        groups.merge(vmGroup(e.getKey()), cpu, Double::sum);
        seen += cpu;
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%s CPU: %.1f s process over %.1f s wall (%.2f cores)%n",
            phase,
            process,
            wall,
            process / wall));
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .filter(e -> e.getValue() >= 0.05)
        .forEach(
            e ->
                out.append(
                    String.format(Locale.ROOT, "  %-28s %6.1f s%n", e.getKey(), e.getValue())));
    out.append(
        String.format(
            Locale.ROOT, "  %-28s %6.1f s%n", "unsampled (threads that ended)", process - seen));
    return out.toString();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }

  /**
   * CPU time of the JVM's own threads (garbage collection, JIT compilers), which the thread bean
   * does not list, by Linux thread id and name from {@code /proc/self/task}; empty elsewhere.
   */
  private static Map<String, Long> vmThreadCpu() {
    Map<String, Long> cpu = new HashMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return cpu;
    }
    long tick = 10_000_000L; // USER_HZ is 100 on Linux
    for (java.io.File task : tasks) {
      try {
        String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close);
        if (!isVmThread(name)) {
          continue;
        }
        String[] fields = stat.substring(close + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        cpu.put(task.getName() + " " + name, ticks * tick);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended while we looked: its time is reported as that of ended threads
      }
    }
    return cpu;
  }

  private static boolean isVmThread(String name) {
    return name.startsWith("GC ")
        || name.startsWith("G1 ")
        || name.startsWith("C1 ")
        || name.startsWith("C2 ")
        || name.startsWith("VM ");
  }

  private static String vmGroup(String key) {
    String name = key.substring(key.indexOf(' ') + 1);
    if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
      return "jit";
    }
    if (name.startsWith("VM ")) {
      return "vm";
    }
    return "gc";
  }

  private static String group(String name) {
    if (name == null) {
      return "?";
    }
    if (name.startsWith("Lucene Merge Thread")) {
      return "lucene merges";
    }
    if (name.startsWith("valentia-indexer-bench-nrt")) {
      return "indexer refresh";
    }
    if (name.startsWith("valentia-indexer-bench-lane") || name.startsWith("valentia-indexer-")) {
      return "indexer lanes and polling";
    }
    if (name.startsWith("raw-")) {
      return "raw indexing threads";
    }
    if (name.startsWith("valentia-stream-")) {
      return "live streams: shared reader, catch-ups";
    }
    if (name.startsWith("vert.x-eventloop")) {
      return "vert.x event loops (HTTP, stream writes)";
    }
    if (name.startsWith("bench-sse-client") || name.startsWith("HttpClient-")) {
      return "bench: SSE clients (in this JVM)";
    }
    if (name.startsWith("bench-publisher") || name.startsWith("valentia-kafka-bench")) {
      return "bench: paced publisher";
    }
    if (name.startsWith("GC") || name.startsWith("G1")) {
      return "gc";
    }
    if (name.startsWith("C1") || name.startsWith("C2")) {
      return "jit";
    }
    if (name.startsWith("kafka-")
        || name.startsWith("data-plane-kafka")
        || name.contains("broker")
        || name.contains("Raft")) {
      return "kafka (broker and clients)";
    }
    return "other: " + name.replaceAll("[-0-9]+$", "");
  }
}
