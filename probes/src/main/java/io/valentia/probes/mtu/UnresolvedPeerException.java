package io.valentia.probes.mtu;

import io.valentia.eventbus.ValentiaException;

/** A peer's name does not resolve: the prober reports the peer unreachable. */
public final class UnresolvedPeerException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  public UnresolvedPeerException(String host, Throwable cause) {
    super("cannot resolve " + host, cause);
  }
}
