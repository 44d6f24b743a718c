package io.valentia.web.stream;

import io.valentia.eventbus.ValentiaException;

/** A stream filter that does not compile; the message names the column and what was expected. */
public final class FilterSyntaxException extends ValentiaException {
  private final int column;

  FilterSyntaxException(int column, String message) {
    super("filter error at column " + column + ": " + message);
    this.column = column;
  }

  /** Where the problem is, counting from 1. */
  public int column() {
    return column;
  }
}
