package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import java.time.Duration;
import java.util.List;

/**
 * A fault this build names but cannot inject (yet, or on this machine): every experiment that uses
 * it is reported as unsupported, naming why, and never runs.
 */
final class UnavailableFault implements Fault {
  private final String name;
  private final String reason;

  UnavailableFault(String name, String reason) {
    this.name = name;
    this.reason = reason;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String summary() {
    return "not available: " + reason;
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.problem("fault " + name + " is not supported by this injector: " + reason);
    return List.of();
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    throw new FaultException("fault " + name + " is not supported by this injector: " + reason);
  }
}
