package io.valentia.probes.frames;

import picocli.CommandLine;

/** Runs {@code probe frames} as its own process, so a test can stop and continue it. */
public final class FramesCommandMain {
  private FramesCommandMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new FramesCommand()).execute(args));
  }
}
