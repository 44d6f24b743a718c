package io.valentia.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The layering of the modules, checked on the production classes of every module the launcher ships
 * (this module's class path holds them all):
 *
 * <ul>
 *   <li>the event contract ({@code event-contract}) knows neither Kafka nor Vert.x nor the rest of
 *       the event bus;
 *   <li>Kafka client types stay in the Kafka module ({@code event-kafka}) except in the classes
 *       named in {@link #KAFKA_CLIENT_EXCEPTIONS}, each with its reason;
 *   <li>a service never reads another service's classes, and nothing reads the launcher's;
 *   <li>each event-bus package lives in exactly one module.
 * </ul>
 */
@DisplayName("The architecture of the modules")
class ArchitectureTest {
  /** The packages of the event contract module: the envelope, codec, types and payloads. */
  private static final String[] CONTRACT = {"io.valentia.eventbus", "io.valentia.eventbus.payload"};

  /** The packages of the Kafka client module. */
  private static final String[] KAFKA_MODULE = {
    "io.valentia.eventbus.kafka..",
    "io.valentia.eventbus.security..",
    "io.valentia.eventbus.metrics.."
  };

  /** The service modules' root packages. */
  private static final List<String> SERVICES =
      List.of(
          "io.valentia.probes",
          "io.valentia.chaos",
          "io.valentia.notifications",
          "io.valentia.postmortem",
          "io.valentia.web");

  /**
   * Where Kafka client types may be used outside the Kafka module: a package ({@code ..} at the
   * end) or a class (with its nested classes), and why. Anything else goes through event-kafka.
   */
  static final Map<String, String> KAFKA_CLIENT_EXCEPTIONS =
      Map.ofEntries(
          Map.entry(
              "io.valentia.eventbus.broker..",
              "the embedded broker is Kafka itself: it configures the server, its listeners and"
                  + " ACLs"),
          Map.entry(
              "io.valentia.eventbus.health.KafkaReplication",
              "the KAFKA_DEGRADED check describes topics and the cluster through Admin; it belongs"
                  + " with the other health checks"),
          Map.entry(
              "io.valentia.postmortem.incidents..",
              "incident detection is a Kafka Streams topology (processors, serdes, state stores,"
                  + " the KafkaStreams lifecycle and its restore offsets)"),
          Map.entry(
              "io.valentia.postmortem.PostmortemService",
              "builds and describes the incident detection topology once before the roles start"
                  + " (loads RocksDB and Kafka Streams' classes early)"),
          Map.entry(
              "io.valentia.postmortem.store.PostmortemLog",
              "keys its read positions by TopicPartition, as TopicReader reports them"),
          Map.entry(
              "io.valentia.postmortem.store.RevisionIndex",
              "keys its read positions by TopicPartition, as TopicReader reports them"),
          Map.entry(
              "io.valentia.postmortem.index.KafkaIndexer",
              "stores the indexed offsets per TopicPartition with the Lucene commit"),
          Map.entry(
              "io.valentia.postmortem.index.EventIndex",
              "stores the indexed offsets per TopicPartition with the Lucene commit"),
          Map.entry(
              "io.valentia.postmortem.index.ReindexCommand",
              "tells an unreachable cluster (KafkaException) from a failed reindex"),
          Map.entry(
              "io.valentia.chaos.journal.KafkaFaultJournal",
              "writes the applying record with a synchronous producer before the fault touches"
                  + " anything (the journal must be on disk before the side effect)"),
          Map.entry(
              "io.valentia.chaos.ChaosService",
              "builds the ProducerRecord of the fault journal's audit"),
          Map.entry(
              "io.valentia.chaos.safety.ControlSeal",
              "seals control records with a header (RecordHeader) on the ProducerRecord"),
          Map.entry(
              "io.valentia.chaos.cli.Connection",
              "the command line checks with Admin that the cluster answers before it halts"),
          Map.entry(
              "io.valentia.notifications.delivery.Outbox",
              "keeps its outbox records as ProducerRecords until the publisher took them"),
          Map.entry(
              "io.valentia.notifications.delivery.DeliveryHistory",
              "the outbox's delivery log: records kept as ProducerRecords, as in Outbox"),
          Map.entry(
              "io.valentia.notifications.delivery.OutboxDeadLetters",
              "the outbox's dead letters: ProducerRecords with the dead-letter headers"),
          Map.entry(
              "io.valentia.app.PlatformHealth",
              "the launcher's TOPIC_MISMATCH and lag checks read topics and offsets through Admin"),
          Map.entry(
              "io.valentia.eventbus.cli.KafkaOptions",
              "the commands' Kafka options check with Admin that the cluster they were given"
                  + " answers"),
          Map.entry(
              "io.valentia.app.cli.TailCommand",
              "tells an unreachable cluster (KafkaException) from a failed read"));

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .withImportOption(location -> !location.contains("event-bus-testing"))
            .withImportOption(location -> !location.contains("/testing/target/"))
            .importPackages("io.valentia");
  }

  @Test
  @DisplayName("The rules see the production classes of every module")
  void seesEveryModule() {
    assertThat(classes.stream().map(c -> c.getPackageName().split("\\.")[2]).distinct())
        .contains("eventbus", "probes", "chaos", "notifications", "postmortem", "web", "app");
    assertThat(classes.stream().map(JavaClass::getPackageName).distinct())
        .contains(CONTRACT)
        .contains("io.valentia.eventbus.kafka", "io.valentia.eventbus.service")
        .contains("io.valentia.eventbus.broker", "io.valentia.eventbus.health")
        .doesNotContain("io.valentia.eventbus.testing");
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

  @Test
  @DisplayName("Nothing but the launcher itself depends on the app module")
  void nothingDependsOnTheLauncher() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.valentia.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.valentia.app..")
        .because("app wires the services together; the services know only the service SPI")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "io.valentia.probes",
        "io.valentia.chaos",
        "io.valentia.notifications",
        "io.valentia.postmortem",
        "io.valentia.web"
      })
  @DisplayName("A service does not depend on another service's classes")
  void servicesAreIndependent(String service) {
    String[] others =
        SERVICES.stream().filter(s -> !s.equals(service)).map(s -> s + "..").toArray(String[]::new);
    noClasses()
        .that()
        .resideInAPackage(service + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(others)
        .because("services meet on the event bus and the service SPI, never in each other's code")
        .check(classes);
  }

  @Test
  @DisplayName("The event contract uses neither Kafka nor Vert.x nor the rest of the event bus")
  void theContractStandsAlone() {
    noClasses()
        .that()
        .resideInAnyPackage(CONTRACT)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "kafka..",
            "io.vertx..",
            "io.valentia.eventbus.kafka..",
            "io.valentia.eventbus.security..",
            "io.valentia.eventbus.metrics..",
            "io.valentia.eventbus.service..",
            "io.valentia.eventbus.health..",
            "io.valentia.eventbus.broker..")
        .because(
            "event-contract is what every producer and reader of events agrees on: records,"
                + " codec and schemas, with Jackson only")
        .check(classes);
  }

  @Test
  @DisplayName("Kafka client types stay in the Kafka module but for the named exceptions")
  void kafkaClientTypesStayInTheKafkaModule() {
    noClasses()
        .that()
        .resideOutsideOfPackages(KAFKA_MODULE)
        .and(DescribedPredicate.not(exempt()))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "kafka..")
        .because(
            "event-kafka is the one Kafka client of the platform; the exceptions and their reasons"
                + " are listed in ArchitectureTest.KAFKA_CLIENT_EXCEPTIONS")
        .check(classes);
  }

  @Test
  @DisplayName("Every exception to the Kafka rule names a class or package that exists")
  void theExceptionsAreCurrent() {
    for (String exception : KAFKA_CLIENT_EXCEPTIONS.keySet()) {
      assertThat(classes.stream().anyMatch(c -> exempts(exception, c)))
          .as("%s names nothing: remove it from the exceptions", exception)
          .isTrue();
    }
  }

  @Test
  @DisplayName("Each event-bus package lives in exactly one module")
  void noSplitPackages() {
    Map<String, Set<String>> modulesByPackage = new TreeMap<>();
    for (JavaClass c : classes.that(inEventBus())) {
      c.getSource()
          .ifPresent(
              source ->
                  modulesByPackage
                      .computeIfAbsent(c.getPackageName(), p -> new TreeSet<>())
                      .add(moduleOf(source.getUri().toString(), c.getName())));
    }
    assertThat(modulesByPackage).isNotEmpty();
    assertThat(
            modulesByPackage.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
        .as("packages found in more than one module")
        .isEmpty();
  }

  /** The class path entry (jar or classes directory) a class was loaded from. */
  private static String moduleOf(String uri, String className) {
    String path = className.replace('.', '/');
    int at = uri.indexOf(path);
    return at < 0 ? uri : uri.substring(0, at);
  }

  private static DescribedPredicate<JavaClass> inEventBus() {
    return DescribedPredicate.describe(
        "in io.valentia.eventbus",
        c -> PackageMatchers.of("io.valentia.eventbus..").test(c.getPackageName()));
  }

  private static DescribedPredicate<JavaClass> exempt() {
    return DescribedPredicate.describe(
        "named in KAFKA_CLIENT_EXCEPTIONS",
        c -> KAFKA_CLIENT_EXCEPTIONS.keySet().stream().anyMatch(e -> exempts(e, c)));
  }

  private static boolean exempts(String exception, JavaClass c) {
    if (exception.endsWith("..")) {
      return PackageMatchers.of(exception).test(c.getPackageName());
    }
    return c.getName().equals(exception) || c.getName().startsWith(exception + "$");
  }
}
