package io.valentia.app.config;

import io.valentia.eventbus.service.ValentiaService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The services (roles) of this build, found on the class path, in start order: ascending {@link
 * ValentiaService#order()}. Services of one order do not depend on each other and start together; a
 * higher order starts once every lower one answers (the web server, order 1000, serves the routes
 * the others mounted).
 */
public record ServiceCatalog(List<ValentiaService> services) {

  public ServiceCatalog {
    services =
        services.stream()
            .sorted(
                Comparator.comparingInt(ValentiaService::order)
                    .thenComparing(ValentiaService::role))
            .toList();
  }

  /** {@code services} (in start order) in groups of one order each, ascending. */
  public static List<List<ValentiaService>> byOrder(List<ValentiaService> services) {
    return List.copyOf(
        services.stream()
            .collect(
                Collectors.groupingBy(
                    ValentiaService::order, java.util.TreeMap::new, Collectors.toList()))
            .values());
  }

  /** Every service registered with {@link ServiceLoader}. */
  public static ServiceCatalog installed() {
    List<ValentiaService> found = new ArrayList<>();
    ServiceLoader.load(ValentiaService.class).forEach(found::add);
    return new ServiceCatalog(found);
  }

  public Optional<ValentiaService> byRole(String role) {
    return services.stream().filter(s -> s.role().equals(role)).findFirst();
  }

  public Optional<ValentiaService> bySection(String section) {
    return services.stream().filter(s -> s.configSection().equals(section)).findFirst();
  }

  /** The roles, for messages: {@code probes, web}. */
  public String roles() {
    return services.stream().map(ValentiaService::role).sorted().collect(Collectors.joining(", "));
  }
}
