package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.valentia.eventbus.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Property: no line, random or a mutation of a real record, makes the watcher throw. */
@DisplayName("Random and mutated lines")
class AuditLineFuzzTest {
  private static final List<String> SEEDS =
      List.of(
          "6,1234,5678901,-;audit: type=1326 audit(1741944413.589:1234): auid=4294967295 uid=1000"
              + " gid=1000 ses=4294967295 subj=unconfined pid=4242 comm=\"vrserver\""
              + " exe=\"/opt/steam/vrserver\" sig=31 arch=c000003e syscall=101 compat=0"
              + " ip=0x7f3c2a1b2c3d code=0x80000000",
          "type=SECCOMP msg=audit(03/14/25 09:26:53.589:4569) : auid=alice uid=root gid=root"
              + " pid=5152 comm=vrserver exe=/opt/vrserver sig=SIGSYS arch=x86_64 syscall=msync"
              + " code=errno(EPERM)",
          "node=h type=SECCOMP msg=audit(1741944413.589:4568): pid=5151 arch=c000003e"
              + " syscall=165 code=0x7ffc0000\u001dARCH=x86_64 SYSCALL=mount",
          "type=AVC msg=audit(1741944413.589:92): avc:  denied  { read write } for  pid=4242"
              + " comm=\"x\" name=\"card0\" scontext=a:b:c:s0 tcontext=d:e:f:s0 tclass=chr_file"
              + " permissive=0",
          "audit: type=1400 audit(1741944413.589:90): apparmor=\"DENIED\" operation=\"open\""
              + " profile=\"/usr/sbin/cupsd\" name=\"/etc/shadow\" pid=1234 comm=\"cupsd\""
              + " requested_mask=\"r\" denied_mask=\"r\"",
          "type=LANDLOCK_ACCESS msg=audit(1729738800.268:30): domain=195ba459b"
              + " blockers=fs.make_reg path=\"/usr/local\"",
          "type=SYSCALL msg=audit(1741944413.589:92): arch=c000003e syscall=257 pid=4242",
          "[ 99.1] kauditd_printk_skb: 17 callbacks suppressed");

  private static final String ALPHABET =
      "=\"' :(){}.,;/\u001d\u0000\n\t0123456789abcdefxABCDEF-_type=msg=audit(avc:pid=arch=code=syscall=";

  @Test
  @DisplayName("Eight thousand random and mutated lines never throw and every event is valid.")
  void neverThrows() {
    Random random = new Random(4);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      lines.add(mutate(SEEDS.get(random.nextInt(SEEDS.size())), random));
      lines.add(randomLine(random));
    }
    DenialWatcher watcher =
        new DenialWatcher(
            new AuditLineParser(),
            Duration.ofSeconds(1),
            null,
            Clock.systemUTC(),
            "fuzz",
            event -> EventCodec.instance().validateData(event));
    assertThatCode(
            () -> {
              for (String line : lines) {
                watcher.accept(line);
              }
              watcher.drain();
            })
        .doesNotThrowAnyException();
  }

  private static String mutate(String seed, Random random) {
    StringBuilder s = new StringBuilder(seed);
    int edits = 1 + random.nextInt(6);
    for (int e = 0; e < edits && s.length() > 0; e++) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(5)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        case 2 -> s.setCharAt(at, (char) random.nextInt(0x3000));
        case 3 -> s.setLength(at);
        default -> s.insert(at, s.substring(random.nextInt(s.length())));
      }
    }
    return s.toString();
  }

  private static String randomLine(Random random) {
    int length = random.nextInt(300);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(
          random.nextBoolean()
              ? ALPHABET.charAt(random.nextInt(ALPHABET.length()))
              : (char) random.nextInt(0x10000));
    }
    return s.toString();
  }
}
