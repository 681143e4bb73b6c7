# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Documented constants (kept from the published 0.1.0 where it defined them).

``MIN_TRAIN_SIZE`` is the fewest training rows any scorer is fitted on; a scorer may need more
(KMeans: at least ``n_clusters``, or ``k_max`` when selecting k; IsolationForest: at least an
integer ``max_samples``), and says so in its error.
"""

__all__ = ["MIN_TRAIN_SIZE", "DEFAULT_RANDOM_STATE"]

MIN_TRAIN_SIZE = 100
DEFAULT_RANDOM_STATE = 42
