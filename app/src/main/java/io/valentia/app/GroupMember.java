package io.valentia.app;

import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.security.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The lasting name of this process in Valentia's consumer groups: a random id kept in the data
 * directory ({@value #FILE}, made at the first start), the replica name if any, and the roles. A
 * process that starts again on the same data directory with the same roles has the same name, so
 * Kafka hands it the place of the member that died with the last process at once (static
 * membership) instead of after that member's session timeout; the roles in the name keep two
 * processes of other roles on one data directory apart.
 */
final class GroupMember {
  static final String FILE = "group-member";

  private GroupMember() {}

  /** The name for a process on {@code dataDir} with {@code replica} and {@code roles}. */
  static String of(Path dataDir, Optional<String> replica, Set<String> roles) {
    StringBuilder name = new StringBuilder(id(dataDir));
    replica.ifPresent(r -> name.append('-').append(r));
    name.append('-').append(String.join("_", new TreeSet<>(roles)));
    // Kafka takes ASCII letters, digits, '.', '_' and '-' in a group instance id
    return name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static String id(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      byte[] random = new byte[6];
      new SecureRandom().nextBytes(random);
      // written whole, and the first of two processes starting at once wins
      OwnerOnlyFiles.createIfAbsent(
          file, (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII));
      String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (!id.matches("[0-9a-f]{1,64}")) {
        throw new ValentiaException(
            file + " holds no group member id (expected hex digits): delete it to get a new one");
      }
      return id;
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ValentiaException("cannot read or create " + file + ": " + e.getMessage(), e);
    }
  }
}
