package io.valentia.postmortem;

import io.valentia.eventbus.service.ValentiaCommands;
import io.valentia.postmortem.index.ReindexCommand;
import io.valentia.postmortem.review.PostmortemCommand;
import io.valentia.postmortem.search.SearchCommand;
import java.util.List;

/** {@code valentia search}, {@code valentia reindex} and {@code valentia postmortem ...}. */
public final class PostmortemCommands implements ValentiaCommands {
  @Override
  public List<Object> commands() {
    return List.of(
        new SearchCommand(),
        new ReindexCommand(),
        new PostmortemCommand(),
        new io.valentia.postmortem.incidents.IncidentCommand());
  }
}
