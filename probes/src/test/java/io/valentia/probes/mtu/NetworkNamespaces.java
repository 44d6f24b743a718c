package io.valentia.probes.mtu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair, made with {@code ip} (package iproute2; needs root)
 * and removed by {@link #close()} and, should the JVM stop first, by a shutdown hook.
 */
final class NetworkNamespaces implements AutoCloseable {
  static final String ADDRESS_A = "198.18.0.1";
  static final String ADDRESS_B = "198.18.0.2";

  final String a;
  final String b;
  private final String vethA;
  private final String vethB;
  private final Thread cleanup;

  private NetworkNamespaces(String suffix) {
    this.a = "vmtu-a-" + suffix;
    this.b = "vmtu-b-" + suffix;
    this.vethA = "vma" + suffix;
    this.vethB = "vmb" + suffix;
    this.cleanup = new Thread(this::remove, "netns-cleanup-" + suffix);
  }

  /** Creates both namespaces, the veth pair and addresses in a benchmarking test range. */
  static NetworkNamespaces create(int mtuA, int mtuB) {
    NetworkNamespaces ns =
        new NetworkNamespaces(UUID.randomUUID().toString().replace("-", "").substring(0, 8));
    Runtime.getRuntime().addShutdownHook(ns.cleanup);
    try {
      run("ip", "netns", "add", ns.a);
      run("ip", "netns", "add", ns.b);
      run(
          "ip", "link", "add", ns.vethA, "netns", ns.a, "type", "veth", "peer", "name", ns.vethB,
          "netns", ns.b);
      run("ip", "-n", ns.a, "addr", "add", ADDRESS_A + "/24", "dev", ns.vethA);
      run("ip", "-n", ns.b, "addr", "add", ADDRESS_B + "/24", "dev", ns.vethB);
      run("ip", "-n", ns.a, "link", "set", "lo", "up");
      run("ip", "-n", ns.b, "link", "set", "lo", "up");
      ns.mtu(mtuA, mtuB);
      run("ip", "-n", ns.a, "link", "set", ns.vethA, "up");
      run("ip", "-n", ns.b, "link", "set", ns.vethB, "up");
      return ns;
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  /** Sets the MTU of each end. */
  void mtu(int mtuA, int mtuB) {
    run("ip", "-n", a, "link", "set", vethA, "mtu", Integer.toString(mtuA));
    run("ip", "-n", b, "link", "set", vethB, "mtu", Integer.toString(mtuB));
  }

  /** A command to run inside namespace {@code ns}. */
  static List<String> inside(String ns, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(command);
    return full;
  }

  /** Whether a namespace of that name exists. */
  static boolean exists(String ns) {
    return run("ip", "netns", "list").lines().anyMatch(l -> l.split(" ")[0].equals(ns));
  }

  private void remove() {
    for (String ns : List.of(a, b)) {
      try {
        new ProcessBuilder("ip", "netns", "del", ns)
            .redirectErrorStream(true)
            .start()
            .waitFor(10, TimeUnit.SECONDS);
      } catch (IOException e) {
        // nothing to remove
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    remove();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is stopping: the hook runs anyway
    }
  }

  static String run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(Arrays.toString(command) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException(
          Arrays.toString(command) + " could not run (is iproute2 installed?): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
