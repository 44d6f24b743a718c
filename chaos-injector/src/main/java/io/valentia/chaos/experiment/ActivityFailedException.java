package io.valentia.chaos.experiment;

import io.valentia.eventbus.ValentiaException;

/** An activity did not succeed; the journal records it and the run goes on (rollbacks run). */
public final class ActivityFailedException extends ValentiaException {
  public ActivityFailedException(String message) {
    super(message);
  }
}
