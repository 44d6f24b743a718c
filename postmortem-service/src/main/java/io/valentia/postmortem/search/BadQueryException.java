package io.valentia.postmortem.search;

import io.valentia.eventbus.ValentiaException;

/** A search the index cannot run as asked: a query that does not parse, a bad cursor or range. */
public final class BadQueryException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  public BadQueryException(String message) {
    super(message);
  }
}
