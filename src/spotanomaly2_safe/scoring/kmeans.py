# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""KMeansScorer: distance to the nearest k-means centre of the standardized training residuals.

Fit: ``StandardScaler`` then ``KMeans(algorithm="lloyd", init="k-means++")`` from scikit-learn, on one
BLAS/OpenMP thread (bit-identical across thread counts). Score of a row ``r``:
``min_j || (r - mean) / scale - c_j ||_2``. The distance is computed per row with numpy (not with
``KMeans.transform``, whose matrix-product shortcut may change last bits with the batch size).

With ``auto_select_k`` the number of clusters is chosen from ``k_min..k_max`` (ties: smallest k) by:

- ``"second_derivative"``: the k maximizing ``inertia[k-1] - 2 inertia[k] + inertia[k+1]`` (interior k);
- ``"kneedle"``: the k farthest below the chord of the inertia curve rescaled to the unit square
  (Satopää et al., 2011, without smoothing): maximize ``(1 - x_k) - y_k``;
- ``"silhouette"``: the k >= 2 maximizing scikit-learn's ``silhouette_score`` on a seeded sample of
  at most ``SILHOUETTE_SAMPLE_SIZE`` rows.

Contributions (``contributions``): per column ``j``, ``((r_j - mean_j) / scale_j - c_j)**2`` for the
nearest centre ``c`` (the first on ties); they sum to the squared score.

Parameters inactive in the chosen mode (``n_clusters`` with selection on; ``k_min``, ``k_max``,
``elbow_method`` with it off; ``window_agg`` with ``window = 1``) are listed under
``inactive_parameters`` in the fit record.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> scorer = KMeansScorer(n_clusters=2).fit(rng.normal(size=(200, 2)))
>>> scores = scorer.score(np.array([[0.0, 0.0], [8.0, 8.0]]))
>>> bool(scores[1] > scores[0])
True
"""

from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from spotanomaly2_safe.constants import DEFAULT_RANDOM_STATE, MIN_TRAIN_SIZE
from spotanomaly2_safe.errors import InsufficientDataException, InvalidParameterError, Reason
from spotanomaly2_safe.parameters import InstanceOf, Interval, Options
from spotanomaly2_safe.scoring.base import COMPONENT_WISE, RANDOM_STATE, WINDOW, WINDOW_AGG, BaseScorer, single_threaded

__all__ = ["KMeansScorer", "ELBOW_METHODS", "SILHOUETTE_SAMPLE_SIZE"]

ELBOW_METHODS = ("second_derivative", "kneedle", "silhouette")
SILHOUETTE_SAMPLE_SIZE = 2000


def _second_derivative(k_values: list[int], inertias: np.ndarray) -> np.ndarray:
    curvature = np.full(len(k_values), -np.inf)
    curvature[1:-1] = inertias[:-2] - 2 * inertias[1:-1] + inertias[2:]
    return curvature


def _kneedle(k_values: list[int], inertias: np.ndarray) -> np.ndarray:
    x = (np.asarray(k_values, dtype=float) - k_values[0]) / (k_values[-1] - k_values[0])
    spread = inertias.max() - inertias.min()
    y = (inertias - inertias.min()) / spread if spread > 0 else np.zeros_like(inertias)
    return (1.0 - x) - y


class KMeansScorer(BaseScorer):
    """Distance to the nearest k-means centre of standardized residuals (see the module docstring)."""

    parameter_constraints = {
        "n_clusters": [Interval(int, 1, None)],
        "window": WINDOW,
        "window_agg": WINDOW_AGG,
        "component_wise": COMPONENT_WISE,
        "auto_select_k": [InstanceOf(bool)],
        "k_min": [Interval(int, 1, None)],
        "k_max": [Interval(int, 1, None)],
        "elbow_method": [Options(ELBOW_METHODS)],
        "n_init": [Interval(int, 1, None)],
        "max_iter": [Interval(int, 1, None)],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        n_clusters: int = 3,
        window: int = 1,
        component_wise: bool = False,
        auto_select_k: bool = False,
        k_min: int = 1,
        k_max: int = 10,
        elbow_method: str = "second_derivative",
        n_init: int = 1,
        max_iter: int = 300,
        random_state: int = DEFAULT_RANDOM_STATE,
        window_agg: str = "mean",
    ) -> None:
        self.n_clusters = n_clusters
        self.window = window
        self.window_agg = window_agg
        self.component_wise = component_wise
        self.auto_select_k = auto_select_k
        self.k_min = k_min
        self.k_max = k_max
        self.elbow_method = elbow_method
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state
        self._validate_parameters()
        if auto_select_k:
            self._validate_selection_range()
        self.elbow_results: dict[str, Any] | None = None

    def _validate_selection_range(self) -> None:
        low = max(self.k_min, 2) if self.elbow_method == "silhouette" else self.k_min
        needed = 2 if self.elbow_method == "silhouette" else 3
        if self.k_max - low + 1 < needed:
            raise InvalidParameterError(
                f"KMeansScorer with auto_select_k=True and elbow_method={self.elbow_method!r} needs at least "
                f"{needed} candidate k values{' (k >= 2)' if needed == 2 else ''}; got k_min={self.k_min}, "
                f"k_max={self.k_max}.",
                reason=Reason.INVALID_PARAMETER,
            )

    def _candidate_k(self) -> list[int]:
        low = max(self.k_min, 2) if self.elbow_method == "silhouette" else self.k_min
        return list(range(low, self.k_max + 1))

    def _minimum_model_rows(self) -> tuple[int, str]:
        largest_k = self.k_max if self.auto_select_k else self.n_clusters
        if largest_k > MIN_TRAIN_SIZE:
            return largest_k, f"{'k_max' if self.auto_select_k else 'n_clusters'}={largest_k}"
        return super()._minimum_model_rows()

    def _kmeans(self, n_clusters: int, scaled: np.ndarray) -> KMeans:
        model = KMeans(
            n_clusters=n_clusters,
            init="k-means++",
            n_init=self.n_init,
            max_iter=self.max_iter,
            algorithm="lloyd",
            random_state=self.random_state,
        )
        model.fit(scaled)
        found = np.unique(model.labels_).size
        if found < n_clusters:
            raise InsufficientDataException(
                f"KMeansScorer found only {found} distinct clusters in the training residuals for "
                f"n_clusters={n_clusters}; use fewer clusters or more varied training data.",
                reason=Reason.TOO_FEW_DISTINCT_ROWS,
            )
        return model

    def _select_k(self, scaled: np.ndarray) -> KMeans:
        k_values = self._candidate_k()
        models = [self._kmeans(k, scaled) for k in k_values]
        inertias = np.array([model.inertia_ for model in models])
        if self.elbow_method == "silhouette":
            sample_size = min(scaled.shape[0], SILHOUETTE_SAMPLE_SIZE)
            criterion = np.array(
                [silhouette_score(scaled, m.labels_, sample_size=sample_size, random_state=self.random_state) for m in models]
            )
        else:
            criterion = (_second_derivative if self.elbow_method == "second_derivative" else _kneedle)(k_values, inertias)
        best = int(np.argmax(criterion))
        self.elbow_results = {
            "optimal_k": k_values[best],
            "k_values": k_values,
            "inertias": inertias.tolist(),
            # The second derivative is undefined at the ends of the range: null there, so the record stays strict JSON.
            "criterion": [float(value) if np.isfinite(value) else None for value in criterion],
        }
        return models[best]

    def _fit_model(self, residuals: np.ndarray) -> None:
        with single_threaded():
            self.scaler_ = StandardScaler().fit(residuals)
            scaled = self.scaler_.transform(residuals)
            self.kmeans_ = self._select_k(scaled) if self.auto_select_k else self._kmeans(self.n_clusters, scaled)
        self.cluster_centers_ = np.ascontiguousarray(self.kmeans_.cluster_centers_)

    def _scaled_differences(self, residuals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Standardized residuals, squared distance to the nearest centre and that centre's index, per row."""
        scaled = (residuals - self.scaler_.mean_) / self.scaler_.scale_
        nearest = np.full(residuals.shape[0], np.inf)
        nearest_centre = np.zeros(residuals.shape[0], dtype=np.intp)
        for index, centre in enumerate(self.cluster_centers_):
            difference = scaled - centre
            distance = np.einsum("ij,ij->i", difference, difference)
            nearest_centre[distance < nearest] = index
            np.minimum(nearest, distance, out=nearest)
        return scaled, nearest, nearest_centre

    def _score_rows(self, residuals: np.ndarray) -> np.ndarray:
        return np.sqrt(self._scaled_differences(residuals)[1])

    def _contribution_rows(self, residuals: np.ndarray) -> np.ndarray:
        scaled, _, nearest_centre = self._scaled_differences(residuals)
        return (scaled - self.cluster_centers_[nearest_centre]) ** 2

    def inactive_parameters(self) -> list[str]:
        own = ["n_clusters"] if self.auto_select_k else ["k_min", "k_max", "elbow_method"]
        return own + super().inactive_parameters()

    def fit_details(self) -> dict[str, Any]:
        return {
            "n_clusters_fitted": int(self.cluster_centers_.shape[0]),
            "n_iter": int(self.kmeans_.n_iter_),
            "inertia": float(self.kmeans_.inertia_),
            "elbow_results": self.elbow_results,
            **super().fit_details(),
        }
