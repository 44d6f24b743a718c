package io.valentia.postmortem.store;

import io.valentia.eventbus.ValentiaException;

/** No postmortem (or no such revision of one) is stored under the id asked for. */
public final class PostmortemNotFoundException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  public PostmortemNotFoundException(String message) {
    super(message);
  }
}
