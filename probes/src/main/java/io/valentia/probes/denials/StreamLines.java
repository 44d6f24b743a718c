package io.valentia.probes.denials;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;

/** Lines of a stream read once to its end (standard input); keeps no position. */
public final class StreamLines implements LineSource {
  private final String name;
  private final InputStream in;
  private volatile boolean exhausted;
  private volatile String failure;
  private Thread thread;

  public StreamLines(String name, InputStream in) {
    this.name = name;
    this.in = in;
  }

  @Override
  public String id() {
    return "stream:" + name;
  }

  @Override
  public void start(BlockingQueue<Line> queue) {
    thread =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  queue.put(new Line(this, line, null));
                }
              } catch (IOException e) {
                failure = "could not read " + name + ": " + e.getMessage();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                exhausted = true;
              }
            },
            "denials-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public boolean exhausted() {
    return exhausted;
  }

  @Override
  public String failure() {
    return failure;
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.interrupt();
    }
  }
}
