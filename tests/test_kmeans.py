# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from spotanomaly2_safe import ForecastingAnomalyDetector, InsufficientDataException, InvalidParameterError, KMeansScorer
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.scoring import kmeans
from spotanomaly2_safe.scoring.kmeans import SILHOUETTE_SAMPLE_SIZE, _kneedle, _second_derivative

from frames import make_frames

ROOT = Path(__file__).resolve().parents[1]

# Vertices of a regular tetrahedron: every merge of two blobs costs the same, so the elbow at k=4 is sharp.
CENTRES = 10.0 * np.array([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]])
BLOBS = np.concatenate([centre + np.random.default_rng(i).normal(scale=0.5, size=(100, 3)) for i, centre in enumerate(CENTRES)])


@pytest.mark.requirement("REQ-COR-003")
def test_kmeans_score_is_distance_to_nearest_sklearn_centre():
    scorer = KMeansScorer(n_clusters=4, random_state=5).fit(BLOBS)
    scaler = StandardScaler().fit(BLOBS)
    reference = KMeans(n_clusters=4, n_init=1, random_state=5, algorithm="lloyd").fit(scaler.transform(BLOBS))
    probes = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0], [30.0, -4.0, 2.0]])
    expected = reference.transform(scaler.transform(probes)).min(axis=1)
    np.testing.assert_allclose(scorer.score(probes), expected, rtol=1e-12)
    np.testing.assert_allclose(np.sort(scorer.cluster_centers_, axis=0), np.sort(reference.cluster_centers_, axis=0))


@pytest.mark.requirement("REQ-COR-005")
def test_second_derivative_picks_largest_curvature():
    inertias = np.array([100.0, 60.0, 20.0, 18.0, 17.0])
    curvature = _second_derivative([1, 2, 3, 4, 5], inertias)
    assert curvature[0] == -np.inf and curvature[-1] == -np.inf
    np.testing.assert_array_equal(curvature[1:-1], [0.0, 38.0, 1.0])


@pytest.mark.requirement("REQ-COR-005")
def test_kneedle_measures_distance_below_chord():
    distance = _kneedle([1, 2, 3], np.array([10.0, 2.0, 0.0]))
    np.testing.assert_allclose(distance, [0.0, 0.5 - 0.2, 0.0])
    np.testing.assert_array_equal(_kneedle([1, 2, 3], np.array([5.0, 5.0, 5.0])), [1.0, 0.5, 0.0])


@pytest.mark.requirement("REQ-COR-005")
@pytest.mark.parametrize("method", ["second_derivative", "kneedle", "silhouette"])
def test_auto_select_k_finds_four_separated_blobs(method):
    scorer = KMeansScorer(auto_select_k=True, k_min=1, k_max=8, elbow_method=method, n_init=3).fit(BLOBS)
    assert scorer.elbow_results["optimal_k"] == 4
    assert scorer.cluster_centers_.shape == (4, 3)
    assert scorer.fit_details()["inactive_parameters"] == ["n_clusters", "window_agg"]


@pytest.mark.requirement("REQ-COR-005")
def test_silhouette_criterion_matches_sklearn_on_the_seeded_sample():
    scorer = KMeansScorer(auto_select_k=True, k_min=1, k_max=4, elbow_method="silhouette", random_state=3).fit(BLOBS)
    assert scorer.elbow_results["k_values"] == [2, 3, 4]
    scaled = StandardScaler().fit_transform(BLOBS)
    labels = KMeans(n_clusters=3, n_init=1, random_state=3, algorithm="lloyd").fit(scaled).labels_
    expected = silhouette_score(scaled, labels, sample_size=len(BLOBS), random_state=3)
    assert scorer.elbow_results["criterion"][1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.requirement("REQ-COR-005")
def test_ties_go_to_smallest_k(monkeypatch):
    monkeypatch.setattr(kmeans, "_kneedle", lambda k_values, inertias: np.ones(len(k_values)))
    scorer = KMeansScorer(auto_select_k=True, k_min=2, k_max=5, elbow_method="kneedle").fit(BLOBS)
    assert scorer.elbow_results["optimal_k"] == 2


@pytest.mark.requirement("REQ-PAR-007")
@pytest.mark.parametrize(
    ("k_min", "k_max", "method"),
    [(1, 2, "second_derivative"), (4, 5, "kneedle"), (1, 2, "silhouette"), (5, 4, "kneedle")],
)
def test_too_narrow_selection_range_is_rejected(k_min, k_max, method):
    with pytest.raises(InvalidParameterError) as caught:
        KMeansScorer(auto_select_k=True, k_min=k_min, k_max=k_max, elbow_method=method)
    assert "candidate k values" in str(caught.value)


@pytest.mark.requirement("REQ-PAR-007")
def test_selection_range_is_not_checked_when_selection_is_off():
    scorer = KMeansScorer(k_min=5, k_max=4).fit(BLOBS)
    assert scorer.fit_details()["inactive_parameters"] == ["k_min", "k_max", "elbow_method", "window_agg"]
    assert scorer.elbow_results is None


@pytest.mark.requirement("REQ-CON-012")
def test_fewer_distinct_rows_than_clusters_raises():
    repeated = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0]]), 60, axis=0)
    with pytest.warns(Warning), pytest.raises(InsufficientDataException) as caught:
        KMeansScorer(n_clusters=3).fit(repeated)
    assert caught.value.reason is Reason.TOO_FEW_DISTINCT_ROWS


@pytest.mark.requirement("REQ-COR-005")
@pytest.mark.parametrize("inertias", [[14.0, 6.0, 5.0, 4.0], [0.5, 0.2, 0.15, 0.1]], ids=["positive-minimum", "spread-below-one"])
def test_kneedle_rescales_the_inertia_curve_to_the_unit_square(inertias):
    k_values, inertias = [2, 3, 4, 5], np.array(inertias)
    x = np.array([0.0, 1 / 3, 2 / 3, 1.0])
    y = (inertias - inertias.min()) / (inertias.max() - inertias.min())
    np.testing.assert_allclose(_kneedle(k_values, inertias), (1.0 - x) - y, rtol=0, atol=1e-15)


@pytest.mark.requirement("REQ-PAR-007")
@pytest.mark.parametrize(
    ("k_min", "k_max", "method", "k_values"),
    [(1, 3, "second_derivative", [1, 2, 3]), (2, 4, "kneedle", [2, 3, 4]), (1, 3, "silhouette", [2, 3]), (2, 3, "silhouette", [2, 3])],
)
def test_smallest_allowed_selection_range_is_accepted(k_min, k_max, method, k_values):
    scorer = KMeansScorer(auto_select_k=True, k_min=k_min, k_max=k_max, elbow_method=method).fit(BLOBS)
    assert scorer.elbow_results["k_values"] == k_values


@pytest.mark.requirement("REQ-COR-005")
def test_silhouette_of_more_rows_than_the_sample_size_uses_the_seeded_sample():
    rows = np.concatenate([BLOBS] * 6)
    rows = rows + np.random.default_rng(7).normal(scale=0.01, size=rows.shape)
    assert len(rows) > SILHOUETTE_SAMPLE_SIZE
    scorer = KMeansScorer(auto_select_k=True, k_min=2, k_max=3, elbow_method="silhouette", random_state=3).fit(rows)
    scaled = StandardScaler().fit_transform(rows)
    labels = KMeans(n_clusters=2, n_init=1, random_state=3, algorithm="lloyd").fit(scaled).labels_
    expected = silhouette_score(scaled, labels, sample_size=SILHOUETTE_SAMPLE_SIZE, random_state=3)
    assert scorer.elbow_results["criterion"][0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.requirement("REQ-COR-003")
def test_n_init_and_max_iter_are_passed_to_sklearn_kmeans():
    scorer = KMeansScorer(n_clusters=3, n_init=4, max_iter=2, random_state=5).fit(BLOBS)
    scaled = StandardScaler().fit_transform(BLOBS)
    reference = KMeans(n_clusters=3, n_init=4, max_iter=2, random_state=5, algorithm="lloyd").fit(scaled)
    np.testing.assert_allclose(scorer.kmeans_.cluster_centers_, reference.cluster_centers_, rtol=1e-12, atol=1e-15)
    assert (scorer.kmeans_.n_init, scorer.kmeans_.max_iter) == (4, 2)


@pytest.mark.requirement("REQ-COR-013")
def test_default_n_init_is_one_and_reaches_sklearn_through_the_pipeline():
    assert KMeansScorer().n_init == 1
    data = make_frames()
    for n_init, expected in ((None, 1), (10, 10)):
        params = {"n_clusters": 3} | ({} if n_init is None else {"n_init": n_init})
        detector = ForecastingAnomalyDetector("KMeansScorer", params).fit(*data[:2])
        assert detector.scorer.kmeans_.n_init == expected and detector.fit_record_["parameters"]["scorer_params"].get("n_init", 1) == expected


@pytest.mark.requirement("REQ-COR-013")
def test_n_init_benchmark_prints_both_settings_side_by_side():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_kmeans_n_init.py"), "--suite", "tuning", "--scenarios", "1", "--repeats", "1"],
        capture_output=True, text=True, check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[2].startswith("demo") and lines[3].startswith("tuning/spikes")
    assert any(line.strip().startswith("tuning n_init=1 : event F1") for line in lines)
    assert any(line.strip().startswith("tuning n_init=10: event F1") for line in lines)
