"""babycry.train: config, cache, the Trainer-based fit and the saved checkpoint folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from babycry.data import load_task
from babycry.errors import InvalidParameterError
from babycry.modeling import window_bounds
from babycry.synth import synth_cry
from babycry.train import TrainConfig, build_cache, for_task, tiny_config


def test_config_json_override(tmp_path: Path) -> None:
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"epochs": 3, "model": {"hidden_size": 48}, "window": {"hop_seconds": 1.0}}))
    cfg = TrainConfig.from_json(path, base=for_task("reason"))
    assert (cfg.task, cfg.epochs, cfg.model.hidden_size, cfg.window.hop_seconds) == ("reason", 3, 48, 1.0)
    with pytest.raises(InvalidParameterError, match="Unknown training setting"):
        cfg.replace(epoch=3)
    with pytest.raises(InvalidParameterError):
        TrainConfig.from_json(tmp_path / "missing.json")


def test_checkpoint_folder_is_complete(tiny_models) -> None:
    for folder, task in ((tiny_models.detector_dir, "detector"), (tiny_models.reason_dir, "reason")):
        names = {p.name for p in Path(folder).iterdir()}
        assert {"config.json", "model.safetensors", "preprocessor_config.json", "calibration.json", "metrics.json",
                "training.json", "README.md"} <= names
        assert (Path(folder) / "model.safetensors").stat().st_size < 20e6
        config = json.loads((Path(folder) / "config.json").read_text())
        assert config["model_type"] == "audio-spectrogram-transformer"
        assert len(config["id2label"]) == (2 if task == "detector" else 4)
        training = json.loads((Path(folder) / "training.json").read_text())
        assert len(training["data"]["manifest_sha256"]) == 64
        assert {"torch", "transformers", "accelerate"} <= set(training["libraries"])
        assert training["command"] and training["wall_time_s"] > 0
        metrics = json.loads((Path(folder) / "metrics.json").read_text())
        assert metrics["grouped"]["group_leakage"]["folds_with_shared_groups"] == 0
        card = (Path(folder) / "README.md").read_text()
        assert card.startswith("---\nlicense:") and "Not a medical device" in card
        assert "majority baseline" in card and training["command"] in card
        # the detector's CV also scores its held-out clips through a phone codec, end to end into the card
        assert ("phone_codec" in metrics["grouped"]) == (task == "detector")
        assert ("### Through a phone codec" in card) == (task == "detector")
        oof = np.load(Path(folder) / "cv_predictions.npz")
        assert ("grouped_phone_logits" in oof.files) == (task == "detector")


def test_reason_card_reports_unsure(tiny_models) -> None:
    card = (Path(tiny_models.reason_dir) / "README.md").read_text()
    calibration = json.loads((Path(tiny_models.reason_dir) / "calibration.json").read_text())
    assert "Coverage" in card and "Burping" in card
    assert 0.0 <= calibration["unsure_threshold"] < 1.0 and calibration["temperature"] > 0
    # calibration.json carries the same (cross-fitted) coverage the card and metrics.json report
    unsure = json.loads((Path(tiny_models.reason_dir) / "metrics.json").read_text())["grouped"]["unsure"]
    assert calibration["coverage"] == unsure["coverage"]
    assert calibration["answered_balanced_accuracy"] == unsure["answered_balanced_accuracy"]


def test_detector_stores_and_reports_its_unsure_band(tiny_models) -> None:
    folder = Path(tiny_models.detector_dir)
    calibration = json.loads((folder / "calibration.json").read_text())
    band = json.loads((folder / "metrics.json").read_text())["grouped"]["cry_band"]
    low, high = calibration["cry_band"]
    assert low <= 0.5 <= high and [band["low"], band["high"]] == [low, high]
    for shares in band["categories"].values():
        assert shares["cry"] + shares["unsure"] + shares["not_cry"] == pytest.approx(1.0, abs=1e-3)
    assert {"cry", "speech"} <= set(band["categories"])
    card = (folder / "README.md").read_text()
    assert "### Unsure whether it is a cry" in card and f"unsure band of P(cry) [{low}, {high}]" in card
    # the reason model has an abstention threshold instead
    assert json.loads((Path(tiny_models.reason_dir) / "calibration.json").read_text())["cry_band"] is None


def test_cache_holds_clean_windows_and_training_only_augmentations(tiny_data: Path) -> None:
    data = load_task(tiny_data, task="detector")
    cache = build_cache(data, config=tiny_config("detector"))
    idx = cache.index
    assert cache.features.shape[1:] == (300, 64) and len(idx) == len(cache.features)
    from babycry.audio import load

    for clip, row in enumerate(data.table.itertuples()):
        n = load(row.path, validate_audio=False).samples.size
        assert (idx[(idx["clip"] == clip) & (idx["kind"] == "clean")].shape[0]
                == len(window_bounds(n, sample_rate=16000)))
    kinds = set(idx["kind"])
    assert {"laugh_like", "low_voice", "cry_aug", "speech_high"} <= kinds
    # hard negatives made from cries are labelled not_cry
    assert (idx.loc[idx["kind"].isin(["laugh_like", "low_voice"]), "y"] == 0).all()
    assert np.isfinite(np.asarray(cache.features, dtype=np.float32)).all()


def test_training_only_negatives_are_cached_filtered_and_kept_out_of_their_groups_folds(tiny_data: Path) -> None:
    from babycry.train import train_only_rows, training_rows

    data = load_task(tiny_data, task="detector")
    config = tiny_config("detector")
    assert "removed" in config.train_only_negatives
    aux = train_only_rows(data, config=config)
    assert sorted(aux["rel_path"]) == ["removed_cry.wav", "removed_hum.wav"]
    assert "removed" not in set(data.table["label"])  # never scored
    idx = build_cache(data, config=config).index
    only = idx[idx["kind"] == "train_only"]
    # the hum is a negative; the synthetic cry among the unreviewed uploads is filtered out by its voicing
    assert set(only["group"]) == {"removed-family-1"} and (only["y"] == 0).all()
    assert (only["clip"] >= len(data)).all()
    everything = training_rows(idx)
    assert set(only.index) <= set(everything)
    held_out = training_rows(idx, train_clips=np.arange(len(data)), exclude_groups={"removed-family-1"})
    assert not set(only.index) & set(held_out)


def test_training_only_negatives_off_for_reason_and_when_unset(tiny_data: Path) -> None:
    from babycry.train import train_only_rows

    assert train_only_rows(load_task(tiny_data, task="reason"), config=tiny_config("reason")).empty
    detector = load_task(tiny_data, task="detector")
    assert train_only_rows(detector, config=tiny_config("detector").replace(train_only_negatives=[])).empty


def test_synthetic_negatives_are_labelled_not_cry(tiny_data: Path) -> None:
    data = load_task(tiny_data, task="detector")
    idx = build_cache(data, config=tiny_config("detector").replace(synth_negatives_per_cry=1)).index
    synth = idx[idx["kind"].isin(["synth_adult", "synth_burst"])]
    assert set(synth["kind"]) == {"synth_adult", "synth_burst"} and (synth["y"] == 0).all()


def test_phone_codec_windows_are_cached_for_negatives_and_change_the_features(tiny_data: Path) -> None:
    data = load_task(tiny_data, task="detector")
    plain = build_cache(data, config=tiny_config("detector"))
    phone = build_cache(data, config=tiny_config("detector").replace(phone_codec_p=1.0, phone_copies_per_negative=1))
    idx = phone.index
    negatives = set(data.table.loc[(data.table["y"] == 0) & (data.table["category"] != "speech"), "category"])
    # one codec-only copy per non-speech negative clip, labelled not_cry; none for speech or cries
    copies = idx[idx["kind"].str.endswith("_phone")]
    assert {k.removesuffix("_phone") for k in copies["kind"]} == negatives and (copies["y"] == 0).all()
    assert len(copies) == int(((data.table["y"] == 0) & (data.table["category"] != "speech")).sum())
    # clean (inference) windows are never coded; augmented cry windows are
    clean = (plain.index["kind"] == "clean").to_numpy()
    np.testing.assert_array_equal(np.asarray(plain.features)[clean],
                                  np.asarray(phone.features)[(idx["kind"] == "clean").to_numpy()])
    cry_aug = (idx["kind"] == "cry_aug").to_numpy()
    assert not np.array_equal(np.asarray(plain.features)[(plain.index["kind"] == "cry_aug").to_numpy()],
                              np.asarray(phone.features)[cry_aug])
    # speech windows are left alone (same draws: the codec step consumes no random numbers for speech)
    speech = (idx["kind"] == "speech_high").to_numpy()
    np.testing.assert_array_equal(np.asarray(plain.features)[(plain.index["kind"] == "speech_high").to_numpy()],
                                  np.asarray(phone.features)[speech])


def test_specaugment_masks_are_seeded_stripes_and_off_by_default() -> None:
    from babycry.train import _WindowDataset

    feats = np.ones((3, 300, 64), dtype=np.float16)
    plain = _WindowDataset(feats, np.array([0, 1, 0]), np.array([2, 1]))
    assert plain[0]["input_values"].numpy().min() == 1.0 and plain[1]["labels"] == 1
    masked = _WindowDataset(feats, np.array([0, 1, 0]), np.array([2, 1]), masks=(2, 40, 2, 8), seed=3)
    x = masked[0]["input_values"].numpy()
    zero_frames = np.flatnonzero((x == 0).all(axis=1))
    zero_bins = np.flatnonzero((x == 0).all(axis=0))
    assert zero_frames.size <= 80 and zero_bins.size <= 16
    assert np.isin(x, [0.0, 1.0]).all() and (x == 1.0).any()
    assert np.array_equal(x, masked[0]["input_values"].numpy())  # same draw, same masks
    assert np.array_equal(feats, np.ones_like(feats))  # the cache itself is never written


def test_parallel_cross_validation_matches_the_serial_one(tiny_data: Path) -> None:
    """Folds fitted in two worker processes give the same out-of-fold logits as one after the other.

    Run in a fresh interpreter: forking a process whose torch thread pool is already running (this pytest
    process has trained models) is exactly what the library avoids.
    """
    import subprocess
    import sys

    script = (
        "import sys, numpy as np\n"
        "from babycry.data import load_task\n"
        "from babycry.train import build_cache, cross_validate, tiny_config\n"
        f"data = load_task({str(tiny_data)!r}, task='detector')\n"
        "config = tiny_config('detector').replace(epochs=1)\n"
        "cache = build_cache(data, config=config)\n"
        "a = cross_validate(data, cache, config=config.replace(threads=2), folds=2, seeds=2)\n"
        "b = cross_validate(data, cache, config=config.replace(threads=1), folds=2, seeds=2)\n"
        "assert np.isfinite(a.logits).all() and np.abs(a.logits).sum() > 0\n"
        "assert np.allclose(a.logits, b.logits, atol=1e-5), np.abs(a.logits - b.logits).max()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def test_babble_in_short_voiced_runs_stays_a_training_only_negative_when_asked() -> None:
    # A cry holds its voice for most of a second; babbling and laughter at a cry's pitch come in short runs.
    from babycry.train import _looks_like_a_cry, cry_voicing_profile

    sr = 16000
    cry = synth_cry(seconds=4.0, sample_rate=sr, f0_hz=450.0, seed=3).samples
    babble = synth_cry(seconds=4.0, sample_rate=sr, f0_hz=420.0, seed=3, burst_seconds=(0.1, 0.25),
                       pause_seconds=(0.1, 0.2)).samples
    cry_fraction, cry_run = cry_voicing_profile(cry, sample_rate=sr)
    babble_fraction, babble_run = cry_voicing_profile(babble, sample_rate=sr)
    assert cry_run > 0.5 > babble_run and babble_fraction > 0.1 and cry_fraction > 0.4
    by_fraction = for_task("detector").replace(train_only_min_cry_run_s=0.0)
    by_run = by_fraction.replace(train_only_min_cry_run_s=0.5)
    assert _looks_like_a_cry(babble, sample_rate=sr, config=by_fraction)
    assert not _looks_like_a_cry(babble, sample_rate=sr, config=by_run)
    assert _looks_like_a_cry(cry, sample_rate=sr, config=by_run)


def _frame_rms(x: np.ndarray) -> np.ndarray:
    """RMS of consecutive 400-sample frames (25 ms at 16 kHz: 40 frames per second)."""
    return np.sqrt((x[: x.size // 400 * 400].reshape(-1, 400).astype(np.float64) ** 2).mean(1))


def test_realistic_proxies_never_fall_to_digital_silence() -> None:
    # Cut-up and synthesised negatives have silent gaps that no real recording has; with the option on, every
    # window the cry branch makes (proxies and the cry's own augmentations alike) keeps a noise floor.
    from babycry.train import _augment_detector, _laugh_like, _NoiseBank

    sr = 16000
    cry = synth_cry(seconds=4.0, sample_rate=sr, f0_hz=450.0, seed=5).samples
    config = tiny_config("detector").replace(hard_negatives_per_cry=3, synth_negatives_per_cry=1,
                                             synth_tones_per_cry=1)
    bank = _NoiseBank(clips=[], groups=[])

    def quietest_frame(seg: np.ndarray) -> float:
        return float(_frame_rms(seg).min() / (np.abs(seg).max() + 1e-12))

    gaps = _laugh_like(cry, np.random.default_rng(0), sample_rate=sr, window_s=3.0)
    assert quietest_frame(gaps) == 0.0  # the cut-up bursts alone
    for seed in range(3):
        plain = _augment_detector(cry, "cry", np.random.default_rng(seed), bank, config=config)
        real = _augment_detector(cry, "cry", np.random.default_rng(seed), bank,
                                 config=config.replace(realistic_proxies=True))
        assert [k for _, _, k, _ in plain] == [k for _, _, k, _ in real]
        assert all(np.isfinite(seg).all() and seg.dtype == np.float32 for seg, *_ in real)
        assert min(quietest_frame(seg) for seg, *_ in real) > 1e-4


def test_laugh_bouts_keep_the_voice_and_pulse_at_a_laughs_syllable_rate() -> None:
    # Real laughter is a train of "ha" syllables at 3.5-6 per second whose dips keep breath and voice.
    from scipy import signal

    from babycry.train import _laugh_bouts

    sr = 16000
    t = np.arange(6 * sr) / sr
    voice = (0.1 * sum(np.sin(2 * np.pi * 450.0 * k * t) / k for k in range(1, 6))).astype(np.float32)  # steady

    def syllable_rate_share(x: np.ndarray) -> float:
        frames = _frame_rms(x)
        freqs, power = signal.periodogram(frames - frames.mean(), fs=40.0)
        return float(power[(freqs >= 3.0) & (freqs <= 7.0)].sum() / power[freqs > 0.5].sum())

    for seed in range(3):
        out = _laugh_bouts(voice, np.random.default_rng(seed), sample_rate=sr, window_s=3.0)
        assert out.dtype == np.float32 and 1.5 * sr <= out.size <= 3.0 * sr and np.isfinite(out).all()
        frames = _frame_rms(out)
        assert frames.min() > 1e-3 * frames.max()  # never digital silence
        assert syllable_rate_share(out) > 0.2 > 0.05 > syllable_rate_share(voice[: out.size])


def test_laugh_bouts_are_cached_as_not_cry(tiny_data: Path) -> None:
    data = load_task(tiny_data, task="detector")
    idx = build_cache(data, config=tiny_config("detector").replace(laugh_bouts_per_cry=1)).index
    bouts = idx[idx["kind"] == "laugh_bout"]
    assert len(bouts) == int((data.y == 1).sum()) and (bouts["y"] == 0).all()


def test_background_negatives_are_noise_alone_and_cached_as_not_cry(tiny_data: Path) -> None:
    # The noises mixed into cries (coloured noise, mains hum) must also occur alone, labelled not-cry; otherwise a
    # hum or hiss on its own reads as a cry.
    from babycry.train import _background

    sr = 16000
    for seed in range(6):
        x = _background(np.random.default_rng(seed), 2 * sr, sample_rate=sr)
        assert x.dtype == np.float32 and x.size == 2 * sr and np.isfinite(x).all() and np.abs(x).max() > 0
    data = load_task(tiny_data, task="detector")
    idx = build_cache(data, config=tiny_config("detector").replace(background_negatives_per_cry=2)).index
    background = idx[idx["kind"] == "background"]
    assert len(background) == 2 * int((data.y == 1).sum())
    assert (background["y"] == 0).all() and (background["stratum"] == "background").all()
    assert (background["noise_group"] == "").all()
