"""babycry.calibration: temperature scaling, ECE, the unsure threshold, calibration.json in use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from babycry.calibration import (
    Calibration,
    choose_cry_band,
    choose_unsure_threshold,
    expected_calibration_error,
    fit_temperature,
    log_loss,
    save_calibration,
    softmax,
)
from babycry.errors import InvalidParameterError, ModelLoadError
from babycry.modeling import load_model


def _overconfident(n: int = 4000, true_t: float = 3.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits whose calibrated version is softmax(logits / true_t)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, 4)) * 1.5
    y = np.array([rng.choice(4, p=p) for p in softmax(base)])
    return base * true_t, y


def test_temperature_recovers_the_truth() -> None:
    logits, y = _overconfident()
    t = fit_temperature(logits, y)
    assert t == pytest.approx(3.0, rel=0.12)
    assert log_loss(softmax(logits / t), y) < log_loss(softmax(logits), y)
    assert expected_calibration_error(softmax(logits / t), y) < 0.03 < expected_calibration_error(softmax(logits), y)


def test_temperature_rejects_bad_shapes() -> None:
    with pytest.raises(InvalidParameterError):
        fit_temperature(np.zeros((3, 2)), np.zeros(4, int))


def test_ece_perfect_and_worst() -> None:
    assert expected_calibration_error(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])) == 0.0
    assert expected_calibration_error(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1, 0])) == 1.0


def test_unsure_threshold_trades_coverage_for_accuracy() -> None:
    logits, y = _overconfident(true_t=1.0)
    p = softmax(logits)
    res = choose_unsure_threshold(p, y, min_coverage=0.5)
    assert res["coverage"] >= 0.5
    assert res["answered_balanced_accuracy"] >= res["all_balanced_accuracy"]
    assert choose_unsure_threshold(p, y, min_coverage=1.0)["threshold"] <= p.max(axis=1).min() + 0.01


def test_calibration_file_is_applied(tiny_models, tmp_path: Path) -> None:
    folder = tmp_path / "det"
    shutil.copytree(tiny_models.detector_dir, folder)
    stored = json.loads((folder / "calibration.json").read_text())
    model = load_model(folder)
    assert model.temperature == pytest.approx(stored["temperature"])
    save_calibration(Calibration(temperature=7.0), folder)
    hot = load_model(folder)
    logits = np.array([[0.0, 2.0]])
    assert hot.calibrate(logits)[0, 1] == pytest.approx(softmax(logits / 7.0)[0, 1])
    (folder / "calibration.json").write_text('{"temperature": -1}')
    with pytest.raises(ModelLoadError, match="temperature"):
        load_model(folder)
    (folder / "calibration.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_model(folder)


def test_cry_band_is_loaded_checked_and_applied(tiny_models, tmp_path: Path) -> None:
    folder = tmp_path / "det"
    shutil.copytree(tiny_models.detector_dir, folder)
    stored = json.loads((folder / "calibration.json").read_text())
    save_calibration(Calibration(temperature=stored["temperature"], cry_band=(0.3, 0.8)), folder)
    model = load_model(folder)
    assert model.cry_band == (0.3, 0.8)
    assert [model.is_cry_unsure(p) for p in (0.29, 0.3, 0.79, 0.8)] == [False, True, True, False]
    save_calibration(Calibration(temperature=1.0), folder)  # a checkpoint without a band: never unsure
    assert load_model(folder).cry_band is None and not load_model(folder).is_cry_unsure(0.5)
    for bad in ([0.6, 0.8], [0.3], ["a", "b"], [0.2, 1.5]):
        (folder / "calibration.json").write_text(json.dumps({"temperature": 1.0, "cry_band": bad}))
        with pytest.raises(ModelLoadError, match="cry_band"):
            load_model(folder)
    reason = tmp_path / "reason"
    shutil.copytree(tiny_models.reason_dir, reason)
    (reason / "calibration.json").write_text(json.dumps({"temperature": 1.0, "cry_band": [0.3, 0.8]}))
    with pytest.raises(ModelLoadError, match="cry_band"):
        load_model(reason)


def test_bias_restores_the_class_prior() -> None:
    from babycry.calibration import apply_calibration, fit_temperature_and_bias

    rng = np.random.default_rng(1)
    y = rng.choice(4, size=3000, p=[0.84, 0.04, 0.06, 0.06])
    logits = rng.normal(size=(3000, 4))  # an uninformative, class-balanced model
    t, b = fit_temperature_and_bias(logits, y)
    p = apply_calibration(logits, temperature=t, bias=b)
    prior = np.bincount(y, minlength=4) / len(y)
    assert log_loss(p, y) <= log_loss(np.tile(prior, (len(y), 1)), y) + 0.01
    assert log_loss(p, y) < log_loss(softmax(logits / fit_temperature(logits, y)), y) - 0.5
    np.testing.assert_allclose(p.mean(axis=0), prior, atol=0.02)


def test_load_calibration_reads_what_save_wrote_and_refuses_malformed_files(tmp_path: Path) -> None:
    from babycry.calibration import load_calibration

    assert load_calibration(tmp_path) == Calibration()  # absent: uncalibrated
    written = Calibration(temperature=2.0, bias=(0.0, -1.0, -2.0, -3.0), unsure_threshold=0.3, n_predictions=7)
    save_calibration(written, tmp_path)
    assert load_calibration(tmp_path, task="reason") == written
    for bad, field in (({"temperature": "hot"}, "temperature"), ({"temperature": 0}, "temperature"),
                       ({"bias": [0.0, 1.0]}, "bias"), ({"bias": "x"}, "bias"),
                       ({"unsure_threshold": 2.0}, "unsure_threshold"), ({"cry_band": [0.3, 0.8]}, "cry_band")):
        (tmp_path / "calibration.json").write_text(json.dumps(bad))
        with pytest.raises(ModelLoadError, match=field):
            load_calibration(tmp_path, task="reason")
    (tmp_path / "calibration.json").write_text("[1, 2]")
    with pytest.raises(ModelLoadError, match="JSON object"):
        load_calibration(tmp_path)


# --- choose_cry_band: the detector's "unsure" band of P(cry) ---
def test_band_keeps_the_asked_shares_of_cries_outside_it() -> None:
    rng = np.random.default_rng(0)
    cries = rng.beta(8, 1, 2000)  # mostly high P(cry), a long low tail
    others = rng.beta(1, 8, 2000)
    p, y = np.r_[cries, others], np.r_[np.ones(2000), np.zeros(2000)]
    band = choose_cry_band(p, y, max_dismissed=0.03, min_confident=0.8)
    assert band["low"] <= 0.5 <= band["high"]
    assert band["cries_dismissed"] <= 0.03 and band["cries_confident"] >= 0.8
    assert np.mean(cries < band["low"]) == pytest.approx(band["cries_dismissed"])
    # the non-cries do not move it: the band is set by the cries alone
    assert choose_cry_band(np.r_[cries, others * 0 + 0.99], y) == choose_cry_band(p, y)


def test_band_always_holds_the_yes_no_decision() -> None:
    y = np.ones(100)
    assert choose_cry_band(np.full(100, 0.99), y) == pytest.approx(
        {"low": 0.5, "high": 0.99, "cries_dismissed": 0.0, "cries_unsure": 0.0, "cries_confident": 1.0,
         "max_dismissed": 0.03, "min_confident": 0.8})
    band = choose_cry_band(np.full(100, 0.1), y)
    assert (band["low"], band["high"]) == (0.1, 0.5)


@pytest.mark.parametrize("kwargs", [{"max_dismissed": -0.1}, {"max_dismissed": 1.0}, {"min_confident": 0.0},
                                    {"max_dismissed": 0.5, "min_confident": 0.6}])
def test_band_rejects_impossible_shares(kwargs: dict) -> None:
    with pytest.raises(InvalidParameterError):
        choose_cry_band(np.array([0.9, 0.1]), np.array([1, 0]), **kwargs)


def test_band_needs_a_cry() -> None:
    with pytest.raises(InvalidParameterError, match="at least one cry"):
        choose_cry_band(np.array([0.2, 0.1]), np.array([0, 0]))
