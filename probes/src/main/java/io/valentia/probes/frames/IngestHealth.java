package io.valentia.probes.frames;

/**
 * Decides, once a second, whether one followed timing file is failing: while its ingest reports a
 * {@link FrameIngest#problem() problem} (missing, unreadable, a pipe gone, a stream that broke), or
 * after a second with more than {@code maxRejectedPerSecond} records that were not the format,
 * until a second with valid frames and no more rejects than that. Not thread-safe: one caller.
 */
final class IngestHealth {
  private final FrameIngest ingest;
  private final int maxRejectedPerSecond;
  private long rejected;
  private long frames;
  private String rejectProblem;

  IngestHealth(FrameIngest ingest, int maxRejectedPerSecond) {
    this.ingest = ingest;
    this.maxRejectedPerSecond = maxRejectedPerSecond;
  }

  /**
   * @return what is wrong, naming the file; null when the ingest is well
   */
  String evaluate() {
    long rejectedNow = ingest.rejected();
    long framesNow = ingest.frames();
    long newRejected = rejectedNow - rejected;
    long newFrames = framesNow - frames;
    rejected = rejectedNow;
    frames = framesNow;
    if (newRejected > maxRejectedPerSecond) {
      rejectProblem =
          ingest.path()
              + ": "
              + newRejected
              + " records in one second were not "
              + ingest.format().sourceName()
              + " frame timing (the last: "
              + ingest.lastProblem()
              + ")";
    } else if (newFrames > 0) {
      rejectProblem = null;
    }
    String problem = ingest.problem();
    return problem != null ? problem : rejectProblem;
  }
}
