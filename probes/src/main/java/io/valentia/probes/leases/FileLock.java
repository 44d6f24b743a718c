package io.valentia.probes.leases;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One line of {@code /proc/locks}, e.g. {@code 3: LEASE ACTIVE READ 4242 fe:00:1458710 0 EOF} or,
 * for a request blocked on it, {@code 3: -> LEASE BREAKER READ ...}.
 *
 * @param kind {@code POSIX}, {@code FLOCK}, {@code OFDLCK}, {@code LEASE}, ...
 * @param mode for a lease: {@code ACTIVE}, {@code BREAKING} or {@code BREAKER}; for a lock: {@code
 *     ADVISORY} or {@code MANDATORY}
 * @param type {@code READ}, {@code WRITE} or {@code UNLCK}
 * @param pid the owner (-1 when the kernel does not know one)
 * @param device {@code major:minor} of the file's device (hex)
 * @param inode the file's inode
 * @param blocked whether this line is a request waiting on the lock above it
 */
public record FileLock(
    String kind, String mode, String type, long pid, String device, long inode, boolean blocked) {

  /** Whether it is a file lease ({@code fcntl F_SETLEASE}) held by a process. */
  public boolean isLease() {
    return kind.equals("LEASE") && !blocked && !mode.equals("BREAKER");
  }

  /** Which lease this is across reads: device, inode and holder. */
  public String key() {
    return device + ":" + inode + ":" + pid;
  }

  /** Parses one line; empty when it is not a lock line. */
  public static Optional<FileLock> parse(String line) {
    String[] f = line.trim().split("\\s+");
    int i = 1;
    if (f.length < 7 || !f[0].endsWith(":")) {
      return Optional.empty();
    }
    boolean blocked = f[1].equals("->");
    if (blocked) {
      i++;
    }
    if (f.length < i + 6) {
      return Optional.empty();
    }
    String[] file = f[i + 4].split(":");
    if (file.length != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new FileLock(
              f[i],
              f[i + 1],
              f[i + 2],
              Long.parseLong(f[i + 3]),
              file[0] + ":" + file[1],
              Long.parseLong(file[2]),
              blocked));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Every lock line of a whole {@code /proc/locks}. */
  public static List<FileLock> parseAll(String text) {
    List<FileLock> locks = new ArrayList<>();
    text.lines().forEach(line -> parse(line).ifPresent(locks::add));
    return locks;
  }
}
