package io.valentia.probes.leases;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the open files of a DRM device, and so its lease's lessees, are read from. Java cannot
 * issue {@code DRM_IOCTL_MODE_LIST_LESSEES} without native code; the kernel's debugfs {@code
 * clients} file lists the same device's files, lessees among them, as text.
 */
@FunctionalInterface
public interface LesseeSource {

  /**
   * The open files of DRM minor {@code minor}, oldest first. Blocking.
   *
   * @throws IOException when they cannot be read (debugfs not mounted, not root, no such minor)
   * @throws DrmClient.FormatException when what was read is not the format
   */
  List<DrmClient> clients(int minor) throws IOException, DrmClient.FormatException;

  /**
   * The debugfs clients files: {@code ROOT/MINOR/clients}, {@code ROOT} being {@code
   * /sys/kernel/debug/dri} (root only; debugfs mounted).
   */
  static LesseeSource debugfs(Path root) {
    return minor -> DrmClient.parseAll(Files.readString(root.resolve(minor + "/clients")));
  }
}
