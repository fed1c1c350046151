"""babycry.model: the compact AST, windows, loading (path / hub id / errors), pipeline agreement, invariances."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from babycry.audio import from_array, resample
from babycry.config import AudioConfig, WindowConfig
from babycry.errors import ModelLoadError
from babycry.model import (
    ModelConfig,
    build_feature_extractor,
    build_model,
    frame_windows,
    load_detector,
    load_model,
    load_reason,
    softmax,
    window_bounds,
)
from babycry.preprocess import rms_dbfs
from babycry.synth import synth_cry


@pytest.fixture(scope="module")
def cry16k() -> np.ndarray:
    return synth_cry(seconds=7.0, sample_rate=16000, f0_hz=420.0, seed=3).samples


def test_compact_config_is_small() -> None:
    model = build_model(task="detector")
    n = sum(p.numel() for p in model.parameters())
    assert 50_000 < n < 1_000_000  # float32: well under the 20 MB budget
    assert model.config.id2label == {0: "not_cry", 1: "cry"}
    fe = build_feature_extractor()
    assert fe.sampling_rate == 16000 and fe.max_length == ModelConfig().max_length


@pytest.mark.parametrize(("seconds", "expected"), [(0.4, 1), (3.0, 1), (4.5, 2), (7.0, 4), (60.0, 39)])
def test_window_bounds_cover_the_recording(seconds: float, expected: int) -> None:
    n = int(seconds * 16000)
    bounds = window_bounds(n, sample_rate=16000, window=WindowConfig())
    assert len(bounds) == expected
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(e - s == min(n, 48000) for s, e in bounds)


def test_frame_windows_pad_short_clips_and_normalise_each_window() -> None:
    rng = np.random.default_rng(0)
    short = (0.001 * rng.standard_normal(6400)).astype(np.float32)  # 0.4 s, like a spoken digit
    windows, spans = frame_windows(short, sample_rate=16000)
    assert windows.shape == (1, 48000) and spans == [(0.0, 0.4)]
    assert np.all(windows[0, 6400:] == 0)  # padded the same way for every source
    assert rms_dbfs(windows[0, :6400]) == pytest.approx(-20.0, abs=0.5)
    long, spans = frame_windows(rng.standard_normal(16000 * 10).astype(np.float32), sample_rate=16000)
    assert long.shape[0] == len(spans) == 6
    assert all(rms_dbfs(w) == pytest.approx(-20.0, abs=0.5) for w in long)


def test_band_limit_removes_content_above_the_band_edge() -> None:
    t = np.arange(48000) / 16000
    windows, _ = frame_windows((np.sin(2 * np.pi * 500 * t) + np.sin(2 * np.pi * 6000 * t)).astype(np.float32),
                               sample_rate=16000)
    spec = np.abs(np.fft.rfft(windows[0]))
    freqs = np.fft.rfftfreq(48000, 1 / 16000)
    assert spec[freqs > 4500].max() < 1e-3 * spec.max()


def test_fresh_tiny_ast_saved_to_a_folder_loads(tmp_path: Path) -> None:
    model = build_model(task="reason", model_config=ModelConfig(hidden_size=32, num_hidden_layers=1,
                                                                num_attention_heads=2, intermediate_size=64))
    model.save_pretrained(tmp_path)
    build_feature_extractor().save_pretrained(tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.task == "reason" and loaded.temperature == 1.0 and loaded.metrics == {}
    assert loaded.summary() is None


def test_tiny_checkpoints_load_through_the_public_loaders(tiny_models) -> None:
    det = load_detector(tiny_models.detector_dir)
    rea = load_reason(str(tiny_models.reason_dir))
    assert det.labels == ("not_cry", "cry") and rea.labels == ("hungry", "belly_pain", "discomfort", "tired")
    assert det.summary()["chance"] == 0.5 and rea.summary()["chance"] == 0.25
    assert 0 <= det.summary()["balanced_accuracy"] <= 1


def test_missing_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="No model found"):
        load_model(tmp_path / "missing-model")
    with pytest.raises(ModelLoadError, match="could not load|Could not load"):
        load_model("nobody-here/no-such-model")  # a hub id, offline / absent: same code path, same error type


def test_incomplete_and_corrupt_checkpoints(tiny_models, tmp_path: Path) -> None:
    folder = tmp_path / "ckpt"
    shutil.copytree(tiny_models.detector_dir, folder)
    (folder / "model.safetensors").write_bytes(b"this is not a safetensors file")
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_model(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="missing model.safetensors"):
        load_model(folder)
    shutil.copytree(tiny_models.detector_dir, tmp_path / "c2")
    (tmp_path / "c2" / "config.json").write_text("{broken")
    with pytest.raises(ModelLoadError):
        load_model(tmp_path / "c2")


def test_wrong_task_is_refused(tiny_models) -> None:
    with pytest.raises(ModelLoadError, match="reason model"):
        load_detector(tiny_models.reason_dir)


def test_transformers_pipeline_agrees_with_babycry(tiny_models, cry16k: np.ndarray) -> None:
    from transformers import pipeline

    model = load_detector(tiny_models.detector_dir)
    windows, _ = frame_windows(cry16k, sample_rate=16000)
    ours = softmax(model.window_logits(windows[:1]))[0]  # uncalibrated
    pipe = pipeline("audio-classification", model=str(tiny_models.detector_dir), device="cpu")
    theirs = {d["label"]: d["score"] for d in pipe({"raw": windows[0], "sampling_rate": 16000}, top_k=None)}
    assert theirs["cry"] == pytest.approx(ours[1], abs=1e-4)
    assert theirs["not_cry"] == pytest.approx(ours[0], abs=1e-4)


def test_same_cry_at_8k_and_16k_gets_the_same_answer(tiny_models, cry16k: np.ndarray) -> None:
    model = load_detector(tiny_models.detector_dir)
    a16 = from_array(cry16k, 16000)
    a8 = from_array(resample(cry16k, orig_sr=16000, target_sr=8000), 8000)
    p16 = model.predict(a16.samples, sample_rate=16000)
    p8 = model.predict(a8.samples, sample_rate=16000)
    assert np.abs(p16.window_probabilities - p8.window_probabilities).max() < 0.03
    assert np.abs(p16.logits - p8.logits).max() < 0.1 * (np.abs(p16.logits).max() + 1)


def _mel_lower_edges_hz(n_mels: int, *, low_hz: float = 20.0, high_hz: float = 8000.0) -> np.ndarray:
    """Lower edge of each Kaldi mel bin (the AST feature extractor's filterbank)."""
    mel = 1127.0 * np.log1p(np.array([low_hz, high_hz]) / 700.0)
    return 700.0 * np.expm1(np.linspace(mel[0], mel[1], n_mels + 2)[:-2] / 1127.0)


def test_model_input_above_the_band_edge_does_not_show_the_source_rate(cry16k: np.ndarray) -> None:
    # Log-mel features show content 100 dB down: a gentle low-pass left a 16 kHz recording faint energy above
    # the band edge where the same cry from an 8 kHz file has none, and the detector learned that fingerprint.
    extractor, audio = build_feature_extractor(), AudioConfig()
    a16 = from_array(cry16k, 16000)
    a8 = from_array(resample(cry16k, orig_sr=16000, target_sr=8000), 8000)
    f16, f8 = (extractor(list(frame_windows(a.samples, sample_rate=16000, audio_config=audio)[0]),
                         sampling_rate=16000, return_tensors="np")["input_values"] for a in (a16, a8))
    above = _mel_lower_edges_hz(f16.shape[-1]) >= audio.band_limit_hz
    assert above.sum() >= 15
    np.testing.assert_allclose(f16[..., above], f8[..., above], atol=0.02)
    # and they sit at the log floor there, bar window leakage (the extractor's last frames are its own padding)
    floor = f16[:, :290][..., above].min()
    assert f16[:, :290][..., above].mean() < floor + 0.02


def test_quiet_and_loud_get_the_same_answer(tiny_models, cry16k: np.ndarray) -> None:
    model = load_reason(tiny_models.reason_dir)
    loud = model.predict(cry16k / np.abs(cry16k).max() * 0.9, sample_rate=16000)
    quiet = model.predict(cry16k / np.abs(cry16k).max() * 0.005, sample_rate=16000)
    np.testing.assert_allclose(loud.probabilities, quiet.probabilities, atol=1e-3)


def test_timeline_on_a_long_recording(tiny_models) -> None:
    model = load_detector(tiny_models.detector_dir)
    x = synth_cry(seconds=20.0, sample_rate=16000, seed=5).samples
    pred = model.predict(x, sample_rate=16000, window=WindowConfig(window_seconds=3.0, hop_seconds=1.5))
    assert len(pred.spans) == 13 and pred.spans[0] == (0.0, 3.0) and pred.spans[-1] == (17.0, 20.0)
    assert pred.window_probabilities.shape == (13, 2)
    np.testing.assert_allclose(pred.window_probabilities.sum(axis=1), 1.0)
    np.testing.assert_allclose(pred.logits, pred.window_logits.mean(axis=0))


def test_predict_rejects_other_rates(tiny_models) -> None:
    from babycry.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="16000 Hz"):
        load_detector(tiny_models.detector_dir).predict(np.zeros(8000, np.float32), sample_rate=8000,
                                                        audio_config=AudioConfig())
