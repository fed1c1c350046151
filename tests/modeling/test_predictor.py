"""babycry.modeling.predictor: CryModel.predict on recordings (rates, loudness, long recordings)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from babycry.audio import from_array, resample
from babycry.config import AudioConfig, WindowConfig
from babycry.modeling import load_detector, load_reason
from babycry.synth import synth_cry


def test_same_cry_at_8k_and_16k_gets_the_same_answer(cry16k: np.ndarray) -> None:
    """The bundled detector (a tiny test model's sensitivity to the 4-8 kHz it never sees after the band limit
    depends on its random start, not on the pipeline)."""
    model = load_detector()
    a16 = from_array(cry16k, 16000)
    a8 = from_array(resample(cry16k, orig_sr=16000, target_sr=8000), 8000)
    p16 = model.predict(a16.samples, sample_rate=16000)
    p8 = model.predict(a8.samples, sample_rate=16000)
    assert np.abs(p16.window_probabilities - p8.window_probabilities).max() < 0.03
    assert np.abs(p16.logits - p8.logits).max() < 0.1 * (np.abs(p16.logits).max() + 1)


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
    # the detector's head reads the recording's mean and max window embedding, not the windows' mean logit
    assert model.pools_recordings
    from babycry.modeling import frame_windows

    windows, _ = frame_windows(x, sample_rate=16000, window=WindowConfig(window_seconds=3.0, hop_seconds=1.5))
    emb = torch.as_tensor(model.window_outputs(model.features(windows)), dtype=torch.float32)
    assert emb.shape == (13, model.model.embedding_size)  # served: the int8 graph, then the head in numpy
    # ... a run of at most 5 consecutive windows at a time (the longest clip it trained on): 13 -> 5, 4, 4,
    # their logits averaged
    assert model.model.config.pooling_max_windows == 5
    with torch.no_grad():
        runs = [np.asarray(model.model.head_logits(torch.cat([r.mean(0), r.amax(0)]))) for r in emb.split([5, 4, 4])]
        whole = np.asarray(model.model.head_logits(torch.cat([emb.mean(0), emb.amax(0)])))
        own = np.asarray(model.model.head_logits(torch.cat([emb, emb], dim=1)))
    np.testing.assert_allclose(pred.logits, np.mean(runs, axis=0), rtol=1e-5, atol=1e-5)
    assert np.abs(pred.logits - whole).max() > 1e-4  # not the whole recording at once
    # up to 5 windows, the recording is read whole
    five = model.prediction(emb[:5].numpy().astype(np.float64), spans=pred.spans[:5])
    with torch.no_grad():
        np.testing.assert_allclose(five.logits,
                                   np.asarray(model.model.head_logits(torch.cat([emb[:5].mean(0), emb[:5].amax(0)]))),
                                   rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(pred.window_logits, own, rtol=1e-5, atol=1e-5)
    # one window is a recording of its own: its answer is its timeline entry
    single = model.prediction(emb[:1].numpy().astype(np.float64), spans=[(0.0, 3.0)])
    np.testing.assert_allclose(single.logits, single.window_logits[0], rtol=1e-6)


def test_a_window_averaging_model_answers_with_the_mean_window_logit(tiny_models) -> None:
    model = load_reason(tiny_models.reason_dir)
    x = synth_cry(seconds=8.0, sample_rate=16000, seed=6).samples
    pred = model.predict(x, sample_rate=16000)
    assert not model.pools_recordings
    np.testing.assert_allclose(pred.logits, pred.window_logits.mean(axis=0))


def test_a_pooling_model_refuses_window_logits_in_place_of_embeddings(tiny_models) -> None:
    from babycry.errors import InvalidParameterError

    model = load_detector(tiny_models.detector_dir)
    with pytest.raises(InvalidParameterError, match="window_outputs"):
        model.prediction(np.zeros((3, 2)), spans=[(0.0, 3.0)] * 3)


def test_predict_rejects_other_rates(tiny_models) -> None:
    from babycry.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="16000 Hz"):
        load_detector(tiny_models.detector_dir).predict(np.zeros(8000, np.float32), sample_rate=8000,
                                                        audio_config=AudioConfig())


def test_batched_windows_equal_one_window_at_a_time(tiny_models, cry16k: np.ndarray) -> None:
    """predict batches the windows of a recording once: the same logits as each window through the extractor alone."""
    from babycry.modeling import frame_windows

    model = load_reason(tiny_models.reason_dir)
    x = np.concatenate([cry16k, cry16k[::-1]])
    pred = model.predict(x, sample_rate=16000)
    windows, spans = frame_windows(x, sample_rate=16000)
    assert pred.spans == spans
    one_by_one = []
    for w in windows:
        feats = model.feature_extractor(w, sampling_rate=16000, return_tensors="pt")["input_values"]
        one_by_one.append(model.model(input_values=feats).logits.detach().numpy()[0])
    np.testing.assert_allclose(pred.window_logits, np.array(one_by_one), rtol=0, atol=1e-5)


def test_traced_forward_matches_the_model_and_skips_training_mode(tiny_models, cry16k: np.ndarray) -> None:
    import torch

    from babycry.modeling import frame_windows

    model = load_detector(tiny_models.detector_dir, runtime="transformers")
    model.precision = "float32"  # the traced graph shares the float32 weights: bit for bit
    feats = model.features(frame_windows(cry16k, sample_rate=16000)[0])
    traced = model.logits_from_features(feats)
    assert model._traced is not None and model._traced[1] is not None  # the TorchScript path ran
    with torch.inference_mode():
        eager = model.model(input_values=torch.as_tensor(feats)).logits.numpy()
    np.testing.assert_allclose(traced, eager, rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.logits_from_features(feats[:1]), eager[:1], rtol=0, atol=1e-6)  # other batch
    model.model.train()
    try:
        assert model._forward(torch.as_tensor(feats)) is not model._traced[1]
    finally:
        model.model.eval()


def test_forward_runs_on_its_own_threads_and_restores_the_callers(tiny_models, cry16k: np.ndarray) -> None:
    import torch

    model = load_reason(tiny_models.reason_dir)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = []
        original = model._forward
        model._forward = lambda x: (seen.append(torch.get_num_threads()), original(x))[1]  # type: ignore[method-assign]
        model.predict(cry16k, sample_rate=16000)
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
