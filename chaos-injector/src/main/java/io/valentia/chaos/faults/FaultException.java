package io.valentia.chaos.faults;

import io.valentia.eventbus.ValentiaException;

/** A fault could not be injected (nothing of it stays behind) or could not be reverted. */
public class FaultException extends ValentiaException {
  public FaultException(String message) {
    super(message);
  }

  public FaultException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The safety rules refused the fault: halted, target not allowed, or blast radius reached. */
  public static final class Refused extends FaultException {
    public Refused(String message) {
      super(message);
    }
  }
}
