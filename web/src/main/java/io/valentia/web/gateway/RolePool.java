package io.valentia.web.gateway;

import io.valentia.web.gateway.ApiGateway.RemoteRole;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of one forwarded role, taken in turn among those that answered last; each {@link
 * Member} notes whether it answered and why not. Used on the gateway's event loop; the flags are
 * volatile for the health report.
 */
final class RolePool {
  private static final Logger LOG = LoggerFactory.getLogger(RolePool.class);

  final RemoteRole role;
  final List<Member> members = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();

  RolePool(RemoteRole role, List<URI> uris) {
    this.role = role;
    uris.forEach(u -> members.add(new Member(u)));
  }

  /** Those that answered last first, in turn, then the others (a restarted one is found). */
  List<Member> order() {
    List<Member> up = new ArrayList<>();
    List<Member> down = new ArrayList<>();
    for (Member m : members) {
      (m.up ? up : down).add(m);
    }
    List<Member> order = new ArrayList<>(members.size());
    if (!up.isEmpty()) {
      int start = Math.floorMod(next.getAndIncrement(), up.size());
      for (int i = 0; i < up.size(); i++) {
        order.add(up.get((start + i) % up.size()));
      }
    }
    order.addAll(down);
    return order;
  }

  boolean reachable() {
    return members.stream().anyMatch(m -> m.up);
  }

  void up(Member member) {
    if (!member.up) {
      LOG.info("the {} role answers at {}", role.role(), member.uri);
    }
    member.up = true;
    member.failure = null;
  }

  void down(Member member, String why) {
    if (member.up) {
      LOG.warn("the {} role does not answer at {}: {}", role.role(), member.uri, why);
    }
    member.up = false;
    member.failure = why;
  }

  /** One process of a role. */
  static final class Member {
    final URI uri;
    final String host;
    final int port;
    final boolean tls;
    volatile boolean up = true; // until a check says otherwise
    volatile String failure;
    volatile boolean checking;
    volatile int slowChecks;

    Member(URI uri) {
      this.uri = uri;
      this.host = uri.getHost();
      this.port = uri.getPort();
      this.tls = "https".equals(uri.getScheme());
    }
  }
}
