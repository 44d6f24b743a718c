package io.valentia.probes.mtu;

/**
 * What became of one echo request.
 *
 * @param outcome what the prober saw
 * @param rttMicros the round trip in microseconds when {@link Outcome#OK}, else null
 */
public record EchoResult(Outcome outcome, Long rttMicros) {

  /** What the prober saw. */
  public enum Outcome {
    /** The reply came back. */
    OK,
    /** Nothing came back: the request never arrived (or never left this host). */
    REQUEST_LOST,
    /** The agent's receipt came back but its reply did not. */
    REPLY_LOST,
    /** Nothing came back, and the transport cannot tell which way it was lost (ICMP). */
    NO_ANSWER;

    /**
     * The direction as events name it: {@code both}, {@code out}, {@code in} or {@code unknown}.
     */
    public String direction() {
      return switch (this) {
        case OK -> "both";
        case REQUEST_LOST -> "out";
        case REPLY_LOST -> "in";
        case NO_ANSWER -> "unknown";
      };
    }
  }

  public static EchoResult ok(long rttMicros) {
    return new EchoResult(Outcome.OK, rttMicros);
  }

  public static EchoResult lost(Outcome outcome) {
    return new EchoResult(outcome, null);
  }

  public boolean ok() {
    return outcome == Outcome.OK;
  }
}
