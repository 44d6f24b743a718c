package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.ValentiaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A process's name in its consumer groups")
class GroupMemberTest {
  @TempDir Path data;

  @Test
  @DisplayName("is the same at every start on one data directory with the same roles")
  void sameOnEveryStart() throws Exception {
    String first = GroupMember.of(data, Optional.empty(), Set.of("web", "chaos"));
    String again = GroupMember.of(data, Optional.empty(), Set.of("chaos", "web"));
    assertThat(again).isEqualTo(first).matches("[0-9a-f]{12}-chaos_web");
    assertThat(Files.readString(data.resolve(GroupMember.FILE)).strip())
        .isEqualTo(first.substring(0, 12));
  }

  @Test
  @DisplayName("differs for other roles, for a replica and for another data directory")
  void differsWhereProcessesDiffer(@TempDir Path other) {
    String web = GroupMember.of(data, Optional.empty(), Set.of("web"));
    assertThat(GroupMember.of(data, Optional.empty(), Set.of("postmortem"))).isNotEqualTo(web);
    assertThat(GroupMember.of(data, Optional.of("pm-2"), Set.of("web")))
        .isNotEqualTo(web)
        .endsWith("-pm-2-web");
    assertThat(GroupMember.of(other, Optional.empty(), Set.of("web"))).isNotEqualTo(web);
  }

  @Test
  @DisplayName("is refused, with the file named, when the file holds something else than an id")
  void refusesADamagedFile() throws Exception {
    Files.writeString(data.resolve(GroupMember.FILE), "not an id\n");
    assertThatThrownBy(() -> GroupMember.of(data, Optional.empty(), Set.of("web")))
        .isInstanceOf(ValentiaException.class)
        .hasMessageContaining(GroupMember.FILE);
  }
}
