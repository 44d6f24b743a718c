package io.valentia.probes.mtu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * The search for the largest payload that passes between a passing and a failing size: a k-ary
 * search that tries up to {@code width} sizes of the range at once (a binary search with width 1).
 * Pure: the sizes are tried by the caller's function.
 */
final class MtuSearch {
  private MtuSearch() {}

  /** The largest passing and smallest failing size between {@code passing} and {@code failing}. */
  static int[] search(int passing, int failing, IntPredicate passes) {
    return search(
        passing, failing, 1, sizes -> sizes.stream().map(passes::test).toList(), (l, h) -> {});
  }

  /**
   * A k-ary search: each step tries up to {@code width} sizes spread evenly between the bounds at
   * once, then keeps the range between the largest passing and the smallest failing of them.
   *
   * @param passes whether each size passes, in the order given
   * @param narrowed told the bounds after each step
   */
  static int[] search(
      int passing,
      int failing,
      int width,
      Function<List<Integer>, List<Boolean>> passes,
      java.util.function.BiConsumer<Integer, Integer> narrowed) {
    int low = passing;
    int high = failing;
    while (high - low > 1) {
      int gap = high - low;
      int k = Math.min(width, gap - 1);
      List<Integer> sizes = new ArrayList<>();
      for (int i = 1; i <= k; i++) {
        int size = low + (int) ((long) gap * i / (k + 1));
        if (size > low && size < high && (sizes.isEmpty() || sizes.get(sizes.size() - 1) < size)) {
          sizes.add(size);
        }
      }
      List<Boolean> ok = passes.apply(sizes);
      int newHigh = high;
      for (int i = 0; i < sizes.size(); i++) {
        if (!ok.get(i)) {
          newHigh = sizes.get(i);
          break;
        }
      }
      int newLow = low;
      for (int i = 0; i < sizes.size(); i++) {
        if (ok.get(i) && sizes.get(i) < newHigh) {
          newLow = sizes.get(i);
        }
      }
      low = newLow;
      high = newHigh;
      narrowed.accept(low, high);
    }
    return new int[] {low, high};
  }
}
