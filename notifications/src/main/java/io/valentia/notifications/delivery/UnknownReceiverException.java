package io.valentia.notifications.delivery;

import io.valentia.eventbus.ValentiaException;

/** A notification or a test for a receiver the configuration does not name. */
public final class UnknownReceiverException extends ValentiaException {
  public UnknownReceiverException(String receiver) {
    super("no receiver is named " + receiver);
  }
}
