package io.valentia.probes.ceph;

import io.valentia.eventbus.ValentiaException;

/** The input is not the Ceph format it should be (not JSON, no {@code entries}, ...). */
public final class CephFormatException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  public CephFormatException(String message) {
    super(message);
  }
}
