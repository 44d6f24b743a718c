package io.valentia.probes.leases;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One open file of a DRM device, a row of its debugfs {@code clients} file ({@code
 * /sys/kernel/debug/dri/MINOR/clients}), which the kernel's {@code drm_clients_info} prints oldest
 * first under the header {@code command tgid dev master a uid magic} (before Linux 6.4 {@code pid}
 * for {@code tgid}; Linux 6.15 adds {@code name}, later kernels {@code id}):
 *
 * <pre>
 *              command  tgid dev master a   uid      magic
 *          gnome-shell  1234   0   y    y  1000          0
 *       monado-service  4242   0   y    y  1000          0
 * </pre>
 *
 * A lease's lessee is a file of its own that the kernel created for the lease: it counts as a
 * current master ({@code master y}) as long as its lessor is the device's master.
 *
 * @param command the process's command name ({@code <unknown>} when it is gone; may hold spaces)
 * @param tgid the process (thread group) id
 * @param minor the DRM minor the file is open on
 * @param master whether the file is a current master (the lessor, or a lessee of it)
 * @param authenticated whether the file is authenticated
 * @param uid the effective user id of the process
 * @param magic the authentication magic
 * @param name the client name a process set ({@code <unset>} when none); null on older kernels
 * @param id the kernel's client id, unique per open file; null on older kernels
 */
public record DrmClient(
    String command,
    long tgid,
    int minor,
    boolean master,
    boolean authenticated,
    long uid,
    long magic,
    String name,
    Long id) {

  /** A row of the clients file that is not the format. */
  public static final class FormatException extends Exception {
    public FormatException(String message) {
      super(message);
    }
  }

  /**
   * Reads a whole clients file.
   *
   * @throws FormatException when the header is not the {@code drm_clients_info} header, or a row
   *     does not fit it
   */
  public static List<DrmClient> parseAll(String text) throws FormatException {
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    if (lines.isEmpty()) {
      throw new FormatException("empty: not a DRM clients file");
    }
    List<String> header = Arrays.asList(lines.get(0).trim().split("\\s+"));
    int magic = header.indexOf("magic");
    if (header.size() < 7
        || !header.get(0).equals("command")
        || !(header.get(1).equals("tgid") || header.get(1).equals("pid"))
        || magic != 6) {
      throw new FormatException(
          "header is not \"command tgid dev master a uid magic [name] [id]\": " + lines.get(0));
    }
    List<String> extra = header.subList(7, header.size());
    int nameAt = extra.indexOf("name");
    int idAt = Math.max(extra.indexOf("id"), extra.indexOf("client-id"));
    int columns = header.size() - 1; // every column after the command
    List<DrmClient> clients = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < columns + 1) {
        throw new FormatException("row with fewer than " + (columns + 1) + " columns: " + line);
      }
      int c = f.length - columns; // the command may hold spaces: it is what the columns leave
      String command = String.join(" ", Arrays.asList(f).subList(0, c));
      try {
        clients.add(
            new DrmClient(
                command,
                Long.parseLong(f[c]),
                Integer.parseInt(f[c + 1]),
                yes(f[c + 2]),
                yes(f[c + 3]),
                Long.parseLong(f[c + 4]),
                Long.parseLong(f[c + 5]),
                nameAt < 0 ? null : f[c + 6 + nameAt],
                idAt < 0 ? null : Long.parseLong(f[c + 6 + idAt])));
      } catch (IllegalArgumentException e) {
        throw new FormatException("row does not fit the header (" + e.getMessage() + "): " + line);
      }
    }
    return clients;
  }

  private static boolean yes(String flag) {
    return switch (flag) {
      case "y" -> true;
      case "n" -> false;
      default -> throw new IllegalArgumentException("y or n expected, found " + flag);
    };
  }
}
