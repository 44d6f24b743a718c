package io.valentia.probes.ceph;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Test inputs written from Ceph's documentation of each format. */
final class CephFixtures {
  private CephFixtures() {}

  static String text(String name) {
    try (InputStream in = CephFixtures.class.getResourceAsStream("/ceph/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path path(String name) {
    try {
      return Path.of(CephFixtures.class.getResource("/ceph/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
