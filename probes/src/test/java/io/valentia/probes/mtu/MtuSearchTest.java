package io.valentia.probes.mtu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The MTU search")
class MtuSearchTest {
  @Test
  @DisplayName("The binary search finds the boundary exactly")
  void binarySearch() {
    assertThat(MtuSearch.search(1472, 8972, size -> size <= 1476)).containsExactly(1476, 1477);
    assertThat(MtuSearch.search(1472, 1473, size -> false)).containsExactly(1472, 1473);
  }

  @Test
  @DisplayName("The k-ary search finds the same boundary as the binary one")
  void karySearch() {
    for (int limit : new int[] {1472, 1473, 1500, 4000, 8970, 8971}) {
      int[] bounds =
          MtuSearch.search(
              1472,
              8972,
              8,
              sizes -> sizes.stream().map(s -> s <= limit).toList(),
              (low, high) -> {});
      assertThat(bounds).containsExactly(limit, limit + 1);
    }
  }
}
