package io.valentia.probes.frames;

/**
 * One presented frame, from Valentia's own render loop or from a compositor's timing.
 *
 * @param index the vsync (display refresh) this frame was meant for
 * @param frameNanos time since the previous presented frame, in nanoseconds (0 for the first)
 * @param latenessNanos how far past its deadline the frame was ready; 0 when on time
 * @param dropped vsyncs that showed no new frame because of this one (a missed deadline counts one,
 *     every further vsync skipped while behind counts one more); 0 when on time
 */
public record FrameSample(long index, long frameNanos, long latenessNanos, int dropped) {
  public FrameSample {
    if (frameNanos < 0 || latenessNanos < 0 || dropped < 0) {
      throw new IllegalArgumentException("negative frame timing: " + frameNanos + "/" + dropped);
    }
  }
}
