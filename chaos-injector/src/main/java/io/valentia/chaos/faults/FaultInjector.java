package io.valentia.chaos.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.journal.FaultJournal;
import io.valentia.chaos.journal.InjectorProcess;
import io.valentia.chaos.safety.SafetyPolicy;
import io.valentia.eventbus.metrics.PlatformMeters;
import io.valentia.eventbus.payload.ChaosFault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects faults under the safety policy and reverts every one of them: when its duration ends,
 * when its run ends, on halt-all, on the dead-man switch and when the injector closes. Each fault
 * is reverted exactly once. Thread-safe.
 */
public final class FaultInjector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

  private final FaultCatalog catalog;
  private final SafetyPolicy policy;
  private final Clock clock;
  private final Map<String, Entry> active = new ConcurrentHashMap<>();
  private final Set<Entry> unsettled = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "valentia-fault-timer");
            t.setDaemon(true);
            return t;
          });
  private final FaultJournal journal;
  private final InjectorProcess process = InjectorProcess.current();
  private volatile String refusal;

  public FaultInjector(FaultCatalog catalog, SafetyPolicy policy) {
    this(catalog, policy, Clock.systemUTC());
  }

  public FaultInjector(FaultCatalog catalog, SafetyPolicy policy, Clock clock) {
    this(catalog, policy, clock, FaultJournal.none());
  }

  /**
   * @param journal where each fault is recorded, with what undoes it, before it is applied, and
   *     again when it is reverted
   */
  public FaultInjector(
      FaultCatalog catalog, SafetyPolicy policy, Clock clock, FaultJournal journal) {
    this.catalog = catalog;
    this.policy = policy;
    this.clock = clock;
    this.journal = journal;
    PlatformMeters.track(PlatformMeters.FAULTS_ACTIVE, active, Map::size);
  }

  /**
   * A fault that is active now.
   *
   * @param id unique id of this injection
   * @param runId the run that injected it
   * @param fault the fault's name
   * @param targets what it touches
   * @param injected when it was injected
   * @param until when it reverts itself; null for faults that cannot be undone
   */
  public record ActiveFault(
      String id,
      String runId,
      String fault,
      List<Target> targets,
      Instant injected,
      Instant until) {}

  public FaultCatalog catalog() {
    return catalog;
  }

  public SafetyPolicy policy() {
    return policy;
  }

  /**
   * Injects {@code fault} with {@code arguments} for a run.
   *
   * @throws FaultException.Refused when halted, a target is not allowed, the duration is over the
   *     maximum or the blast radius is reached
   * @throws FaultException when the arguments are wrong or the injection failed (nothing stays)
   */
  public synchronized ActiveFault inject(String runId, String fault, JsonNode arguments)
      throws FaultException {
    String halted = refusal;
    if (halted != null) {
      throw new FaultException.Refused("no new faults: " + halted);
    }
    Fault kind =
        catalog.find(fault).orElseThrow(() -> new FaultException("unknown fault " + fault));
    Arguments args = Arguments.of(arguments);
    FaultCatalog.Plan plan = FaultCatalog.plan(kind, args);
    if (!args.problems().isEmpty()) {
      throw new FaultException(fault + ": " + String.join("; ", args.problems()));
    }
    for (Target target : plan.targets()) {
      if (!policy.allowList().allows(target)) {
        throw new FaultException.Refused(
            fault + ": target " + target + " is not on the allow-list (chaos.allow)");
      }
    }
    if (plan.duration().compareTo(policy.maxFaultDuration()) > 0) {
      throw new FaultException.Refused(
          fault
              + ": duration "
              + plan.duration()
              + " is over the maximum "
              + policy.maxFaultDuration());
    }
    if (active.size() >= policy.maxConcurrentFaults()) {
      throw new FaultException.Refused(
          fault
              + ": "
              + active.size()
              + " faults are active, the maximum is "
              + policy.maxConcurrentFaults());
    }
    Instant now = clock.instant();
    boolean revertible = !plan.duration().isZero();
    ActiveFault activeFault =
        new ActiveFault(
            UUID.randomUUID().toString(),
            runId,
            fault,
            List.copyOf(plan.targets()),
            now,
            revertible ? now.plus(plan.duration()) : null);
    AtomicBoolean recorded = new AtomicBoolean();
    Fault.Revert revert;
    try {
      revert =
          kind.inject(
              args,
              plan.duration(),
              undo -> {
                if (revertible) {
                  journal.applying(record(activeFault, ChaosFault.APPLYING, undo, null));
                  recorded.set(true);
                }
              });
    } catch (FaultJournal.NotRecordedException e) {
      throw new FaultException(e.getMessage(), e);
    } catch (RuntimeException e) {
      if (recorded.get()) {
        journal.settled(
            record(activeFault, ChaosFault.REVERTED, null, "not applied: " + e.getMessage()));
      }
      throw e;
    }
    if (!revertible) {
      return activeFault;
    }
    Entry entry = new Entry(activeFault, revert);
    unsettled.add(entry);
    active.put(activeFault.id(), entry);
    entry.timer =
        timers.schedule(
            () -> revertQuietly(entry, "its duration ended"),
            plan.duration().toMillis(),
            TimeUnit.MILLISECONDS);
    LOG.info(
        "injected {} on {} until {} (run {})", fault, plan.targets(), activeFault.until(), runId);
    return activeFault;
  }

  /** Every active fault. */
  public List<ActiveFault> active() {
    return active.values().stream().map(e -> e.fault).toList();
  }

  /**
   * Reverts the active faults of one run.
   *
   * @return what could not be reverted; empty when all went well
   */
  public List<String> revertRun(String runId) {
    List<String> failures = new ArrayList<>();
    for (Entry entry : List.copyOf(active.values())) {
      if (entry.fault.runId().equals(runId)) {
        String failure = revertQuietly(entry, "its run ended");
        if (failure != null) {
          failures.add(failure);
        }
      }
    }
    return failures;
  }

  /**
   * Waits until every fault {@code runId} injected and that reverts itself has been reverted (its
   * duration ended, its run, a halt or the dead-man switch reverted it), the revert included.
   * Returns at once when the run has none.
   *
   * @throws InterruptedException when the calling thread is interrupted; the faults stay as they
   *     are
   */
  public void awaitReverted(String runId) throws InterruptedException {
    while (true) {
      CompletableFuture<?>[] pending =
          unsettled.stream()
              .filter(e -> e.fault.runId().equals(runId))
              .map(e -> e.settled)
              .toArray(CompletableFuture<?>[]::new);
      if (pending.length == 0) {
        return;
      }
      try {
        CompletableFuture.allOf(pending).get();
      } catch (ExecutionException e) {
        // settled futures only complete normally
      }
    }
  }

  /** Reverts every active fault; returns how many were reverted. */
  public int revertAll(String why) {
    int count = 0;
    for (Entry entry : List.copyOf(active.values())) {
      if (entry.reverted.get()) {
        continue;
      }
      revertQuietly(entry, why);
      count++;
    }
    return count;
  }

  /** Refuses new faults until {@link #acceptNew()} (halt-all, dead-man switch). */
  public void refuseNew(String reason) {
    refusal = reason;
  }

  public void acceptNew() {
    refusal = null;
  }

  /** Why new faults are refused; null when they are not. */
  public String refusal() {
    return refusal;
  }

  private String revertQuietly(Entry entry, String why) {
    if (!entry.reverted.compareAndSet(false, true)) {
      return null;
    }
    active.remove(entry.fault.id());
    if (entry.timer != null) {
      entry.timer.cancel(false);
    }
    try {
      entry.revert.revert();
      LOG.info("reverted {} on {} ({})", entry.fault.fault(), entry.fault.targets(), why);
      journal.settled(record(entry.fault, ChaosFault.REVERTED, null, "reverted: " + why));
      return null;
    } catch (RuntimeException e) {
      LOG.error(
          "could not revert {} on {}: {}",
          entry.fault.fault(),
          entry.fault.targets(),
          e.getMessage());
      journal.settled(
          record(
              entry.fault,
              ChaosFault.REVERT_FAILED,
              null,
              "reverting (" + why + ") failed: " + e.getMessage()));
      return entry.fault.fault() + " on " + entry.fault.targets() + ": " + e.getMessage();
    } finally {
      unsettled.remove(entry);
      entry.settled.complete(null);
    }
  }

  private ChaosFault record(ActiveFault fault, String state, JsonNode undo, String detail) {
    return new ChaosFault(
        fault.id(),
        fault.runId(),
        fault.fault(),
        state,
        fault.targets().stream().map(Target::toString).toList(),
        undo,
        process.host(),
        process.pid(),
        process.start(),
        fault.until(),
        detail);
  }

  /** Reverts everything still active and stops the timers. */
  @Override
  public void close() {
    revertAll("the injector is closing");
    timers.shutdownNow();
  }

  private static final class Entry {
    final ActiveFault fault;
    final Fault.Revert revert;
    final AtomicBoolean reverted = new AtomicBoolean();
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    volatile ScheduledFuture<?> timer;

    Entry(ActiveFault fault, Fault.Revert revert) {
      this.fault = fault;
      this.revert = revert;
    }
  }

  /** How long until {@code fault} reverts itself, from now. */
  public Duration remaining(ActiveFault fault) {
    return fault.until() == null ? Duration.ZERO : Duration.between(clock.instant(), fault.until());
  }
}
