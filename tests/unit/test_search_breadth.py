"""How MariaDB/MySQL judge whether a search is broad from the newest rows (resource_queries)."""

from __future__ import annotations

from studentres_desktop.persistence.resource_queries import BREADTH_WINDOW, breadth_cap


def test_a_window_that_reaches_the_first_row_counts_past_the_threshold():
    assert breadth_cap(1, BREADTH_WINDOW, 1000) == 1001
    assert breadth_cap(7, 12, 0) == 1


def test_a_larger_catalogue_scales_the_threshold_to_the_window():
    # 100,000 rows: 1,000 matches in all are 5 in the newest 500, so 6 make it broad.
    assert breadth_cap(1, 100_000, 1000) == 1000 * BREADTH_WINDOW // 100_000 + 1
    assert breadth_cap(1, 100_000, 1000) < breadth_cap(1, 10_000, 1000)
    assert breadth_cap(1, 10**7, 1000) == 1  # any match in the window: broad
