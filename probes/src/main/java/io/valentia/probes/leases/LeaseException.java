package io.valentia.probes.leases;

import io.valentia.eventbus.ValentiaException;

/** A lease request that cannot be done; the subclasses say why. */
public class LeaseException extends ValentiaException {
  LeaseException(String message) {
    super(message);
  }

  /** The resource is held by another lease. */
  public static final class ResourceHeld extends LeaseException {
    private final Lease holder;

    ResourceHeld(Lease holder) {
      super(
          holder.resource()
              + " is leased to "
              + holder.lessee().name()
              + " ("
              + holder.id()
              + ") until "
              + holder.expiresAt());
      this.holder = holder;
    }

    public Lease holder() {
      return holder;
    }
  }

  /** No active lease has that id (it never existed, expired or was revoked). */
  public static final class NoSuchLease extends LeaseException {
    NoSuchLease(String id) {
      super("no active lease " + id);
    }
  }
}
