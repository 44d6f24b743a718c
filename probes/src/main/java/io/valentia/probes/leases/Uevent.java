package io.valentia.probes.leases;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A kernel uevent as {@code udevadm monitor --kernel --property} prints it: a header line ({@code
 * KERNEL[1234.567890] change /devices/.../drm/card0 (drm)}) followed by {@code KEY=value} lines and
 * a blank line. Java cannot open the kernel's uevent netlink socket, so the watcher reads udevadm's
 * output instead.
 *
 * @param action {@code add}, {@code change}, {@code remove}, ...
 * @param devpath the device path under {@code /sys}
 * @param properties every {@code KEY=value}, in order
 */
public record Uevent(String action, String devpath, Map<String, String> properties) {

  /** Whether it is a DRM {@code change} uevent announcing a lease change ({@code LEASE=1}). */
  public boolean isDrmLeaseChange() {
    return "change".equals(action)
        && "drm".equals(properties.get("SUBSYSTEM"))
        && "1".equals(properties.get("LEASE"));
  }

  /** Reads uevents line by line; feed it every line of udevadm's output. Not thread-safe. */
  public static final class Parser {
    private String action;
    private String devpath;
    private Map<String, String> properties = new LinkedHashMap<>();

    /**
     * @return the events this line completed (a blank line, or a new header, ends one)
     */
    public List<Uevent> accept(String line) {
      List<Uevent> done = new ArrayList<>();
      if (line.isBlank()) {
        finish(done);
      } else if (line.startsWith("KERNEL[") || line.startsWith("UDEV ")) {
        finish(done);
        String[] f = line.trim().split("\\s+");
        if (f.length >= 3) {
          action = f[1];
          devpath = f[2];
        }
      } else if (action != null) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          properties.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      return done;
    }

    /** Ends the event being read (at the end of the output). */
    public List<Uevent> finish() {
      List<Uevent> done = new ArrayList<>();
      finish(done);
      return done;
    }

    private void finish(List<Uevent> done) {
      if (action != null) {
        done.add(
            new Uevent(
                properties.getOrDefault("ACTION", action),
                properties.getOrDefault("DEVPATH", devpath),
                Map.copyOf(properties)));
      }
      action = null;
      devpath = null;
      properties = new LinkedHashMap<>();
    }
  }
}
