package io.valentia.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules about how the modules read Kafka, checked on the production classes of every module the
 * launcher ships (this module's class path holds them all).
 */
@DisplayName("The architecture of the modules")
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.valentia");
  }

  @Test
  @DisplayName("The rules see the production classes of every module")
  void seesEveryModule() {
    assertThat(classes.stream().map(c -> c.getPackageName().split("\\.")[2]).distinct())
        .contains("eventbus", "probes", "chaos", "postmortem", "web", "app");
  }

  @Test
  @DisplayName("No module outside event-bus opens a Kafka consumer: they read through its API")
  void onlyTheEventBusOpensConsumers() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.valentia.eventbus..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.apache.kafka.clients.consumer.KafkaConsumer")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.apache.kafka.clients.consumer.Consumer")
        .because(
            "event-bus owns the one way to read the log (KafkaEventSubscriber, TopicReader,"
                + " StateTable), so no module keeps its own replay loop")
        .check(classes);
  }

  @Test
  @DisplayName("No service module depends on the web or app modules")
  void servicesDoNotDependOnTheEntryPoints() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.valentia.eventbus..",
            "io.valentia.probes..",
            "io.valentia.chaos..",
            "io.valentia.postmortem..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.valentia.web..", "io.valentia.app..")
        .check(classes);
  }
}
