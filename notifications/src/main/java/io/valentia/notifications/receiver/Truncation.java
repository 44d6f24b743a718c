package io.valentia.notifications.receiver;

/** Fitting a list of alerts into a message limit, keeping room for "and N more". */
final class Truncation {
  private Truncation() {}

  /** Characters (code points) left in a message. */
  static final class Budget {
    private int left;

    Budget(int limit) {
      this.left = limit;
    }

    /** Whether {@code text} fits with room left for {@code reserve} after it. */
    boolean fits(String text, String reserve) {
      return MessageText.length(text) + MessageText.length(reserve) <= left;
    }

    void take(int n) {
      left -= n;
    }

    int left() {
      return Math.max(0, left);
    }
  }
}
