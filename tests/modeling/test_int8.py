"""The detector's int8 encoder graph: trained on and served, so the app's embeddings are the ones its head learned."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from babycry.data import load_task
from babycry.errors import InvalidParameterError, ModelLoadError
from babycry.modeling import load_detector
from babycry.modeling.predictor import resolve_precision
from babycry.modeling.sfx.quantized import INT8_FILE, INT8_INFO, Int8Encoder
from babycry.modeling.windows import frame_windows
from babycry.training.cache import build_cache, clean_windows
from babycry.training.recipes import tiny_recipe


@pytest.fixture(scope="module")
def bundled_detector():
    return load_detector()


def test_auto_serves_the_graph_the_head_was_trained_on() -> None:
    assert resolve_precision(object(), "auto", int8=True) == "int8"
    assert resolve_precision(object(), "float32", int8=True) == "float32"  # an explicit choice stays


def test_the_bundled_detector_answers_with_its_int8_graph(bundled_detector, cry16k: np.ndarray) -> None:
    assert bundled_detector.inference_dtype == "int8"
    assert isinstance(bundled_detector.int8_encoder, Int8Encoder)
    answer = bundled_detector.predict(cry16k, sample_rate=16000)
    assert answer.labels[answer.decision] == "cry" and answer.window_logits.dtype == np.float64


def test_the_int8_graph_stays_close_to_the_float_encoder_on_real_windows(bundled_detector, cry16k) -> None:
    windows, _ = frame_windows(cry16k, sample_rate=16000)
    features = bundled_detector.features(windows)
    int8 = bundled_detector.window_outputs(features)
    fp32 = dataclasses.replace(bundled_detector, precision="float32").window_outputs(features)
    relative = np.linalg.norm(int8 - fp32, axis=1) / np.linalg.norm(fp32, axis=1)
    assert relative.max() < 0.1  # measured 0.02-0.06 over the data's clean windows (docs/experiments.md)


def test_int8_without_a_graph_is_a_clear_error(tiny_models) -> None:
    model = load_detector(tiny_models.detector_dir)
    bare = dataclasses.replace(model, int8_encoder=None, precision="auto")
    assert bare.inference_dtype != "int8"
    with pytest.raises(InvalidParameterError, match="int8 encoder graph"):
        dataclasses.replace(bare, precision="int8")


def test_the_checkpoint_serves_the_embeddings_its_training_windows_got(tiny_models) -> None:
    """Serving == training: the cache's clean windows of a clip, embedded by the graph the checkpoint carries."""
    model = load_detector(tiny_models.detector_dir)
    assert model.inference_dtype == "int8"
    assert (tiny_models.detector_dir / INT8_FILE).is_file()
    assert json.loads((tiny_models.detector_dir / INT8_INFO).read_text())["weights_sha256"]
    recipe = tiny_recipe("detector")
    data = load_task(tiny_models.data_dir, task="detector")
    cache = build_cache(data, recipe=recipe)
    # the graph is made the same way each time: the retrained cache's graph is the checkpoint's, byte for byte
    assert cache.encoder_graph.read_bytes() == (tiny_models.detector_dir / INT8_FILE).read_bytes()
    clip = int(np.flatnonzero(data.y == 1)[0])
    rows = np.flatnonzero((cache.index["clip"] == clip).to_numpy() & (cache.index["kind"] == "clean").to_numpy())
    _, windows = clean_windows(data.table.loc[clip, "path"], recipe=recipe)
    served = model.window_outputs(model.features(windows))
    np.testing.assert_allclose(served, np.asarray(cache.features[rows]), atol=1e-5)


def test_a_graph_left_by_a_retrain_is_refused(tiny_models, tmp_path: Path) -> None:
    folder = tmp_path / "detector"
    shutil.copytree(tiny_models.detector_dir, folder)
    info = json.loads((folder / INT8_INFO).read_text())
    (folder / INT8_INFO).write_text(json.dumps({**info, "weights_sha256": "0" * 64}))
    with pytest.raises(ModelLoadError, match="made for other weights"):
        load_detector(folder)
