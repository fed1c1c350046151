"""The detector's int8 encoder graph: trained on and served, so the app's embeddings are the ones its head learned."""

from __future__ import annotations

import dataclasses
import json
import platform
import shutil
from pathlib import Path

import numpy as np
import pytest

from babycry.data import load_task
from babycry.errors import InvalidParameterError, ModelLoadError
from babycry.modeling import load_detector
from babycry.modeling.predictor import resolve_precision
from babycry.modeling.sfx.quantized import INT8_FILE, INT8_INFO, Int8Encoder, graph_weight_bits, int8_kernels_exact
from babycry.modeling.windows import frame_windows
from babycry.training.cache import build_cache, cache_key, checkpoint_int8_graph, clean_windows
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
    fp32 = dataclasses.replace(load_detector(runtime="transformers"), precision="float32").window_outputs(features)
    relative = np.linalg.norm(int8 - fp32, axis=1) / np.linalg.norm(fp32, axis=1)
    assert relative.max() < 0.1  # measured 0.02-0.06 over the data's clean windows (docs/experiments.md)


def test_the_served_graph_sums_its_integers_exactly_on_this_cpu(bundled_detector, cry16k) -> None:
    """What the head learned from is the graph computed exactly (VNNI); on a CPU whose fused int8 kernels saturate
    (x86 without VNNI) the encoder must still give those embeddings, not ones 6% off."""
    import onnxruntime as ort

    windows, _ = frame_windows(cry16k, sample_rate=16000)
    features = np.asarray(bundled_detector.features(windows), dtype=np.float32)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # Q/DQ pairs, float sums
    reference = ort.InferenceSession(str(bundled_detector.int8_encoder.path), options,
                                     providers=["CPUExecutionProvider"]).run(None, {"input_values": features})[0]
    served = bundled_detector.int8_encoder.embed(features)
    # measured on an AVX2-only CPU with the 8-bit graph: unfused 0.001-0.005 of the values one step apart; fused 0.6
    # of them, mean 0.03-0.04. The 7-bit graph runs fused everywhere: ~0.002 of them one rounding step apart
    assert np.mean(np.abs(served - reference) > 1e-4) < 0.02
    assert np.abs(served - reference).mean() < 2e-3


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86 CPU flags")
@pytest.mark.parametrize("flags, exact", [("fpu sse4_2 avx2 fma", False), ("avx2 avx512f avx512_vnni", True),
                                          ("avx2 avx_vnni", True), ("avx2 amx_int8 amx_tile", True)])
def test_whether_the_fused_int8_kernels_are_exact_is_read_from_the_cpu_flags(tmp_path: Path, flags: str,
                                                                             exact: bool) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    assert int8_kernels_exact(str(cpuinfo)) is exact
    assert int8_kernels_exact(str(tmp_path / "missing")) is False  # unknown on x86: the exact path


def test_int8_without_a_graph_is_a_clear_error(tiny_models) -> None:
    model = load_detector(tiny_models.detector_dir, runtime="transformers")
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


def test_a_cache_can_embed_with_a_checkpoints_own_graph(tiny_models, tmp_path: Path) -> None:
    """What benchmarks refitting a checkpoint's heads do: its graph, not one calibrated again on this CPU."""
    recipe = tiny_recipe("detector").replace(cache_dir=str(tmp_path))
    data = load_task(tiny_models.data_dir, task="detector")
    graph = checkpoint_int8_graph(tiny_models.detector_dir)
    assert graph is not None and checkpoint_int8_graph(tmp_path) is None
    cache = build_cache(data, recipe=recipe, int8_graph=graph)
    assert cache.encoder_graph.read_bytes() == graph.read_bytes() and cache.path.parent == tmp_path
    assert cache_key(data, recipe, graph=graph) != cache_key(data, recipe)  # its hash keys the cache
    again = build_cache(data, recipe=recipe, int8_graph=graph)  # read back from disk
    np.testing.assert_array_equal(np.asarray(again.features), np.asarray(cache.features))
    with pytest.raises(InvalidParameterError, match="int8 encoder graph"):
        build_cache(data, recipe=recipe, int8_graph=tmp_path / "missing.onnx")
    with pytest.raises(InvalidParameterError, match="int8 encoder graph"):
        build_cache(data, recipe=recipe.replace(**{"model.encoder_precision": "float32"}), int8_graph=graph)


def test_seven_bit_weights_are_summed_exactly_by_the_fused_kernels(tmp_path: Path, cry16k: np.ndarray) -> None:
    """``reduce_range``: weights within [-64, 64], so no pair of uint8 x int8 products overflows 16 bits, and the
    fused graph gives the exact one's embeddings on any CPU (benchmarks/detector_int8_range_probe.py)."""
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    from babycry.modeling import build_feature_extractor, build_model
    from babycry.modeling.sfx.quantized import quantize_encoder

    recipe = tiny_recipe("detector")
    windows, _ = frame_windows(cry16k, sample_rate=16000)
    features = build_feature_extractor(model_config=recipe.model)(windows, return_tensors="np")["input_values"]
    encoder = build_model(task="detector", model_config=recipe.model, seed=0).encoder
    path = quantize_encoder(encoder, features, tmp_path / "rr.onnx", reduce_range=True)
    weights = [numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer]
    int8 = np.concatenate([w.ravel() for w in weights if w.dtype == np.int8])
    assert int8.size and np.abs(int8.astype(int)).max() <= 64  # 255 x 64 x 2 = 32,640 fits 16 bits
    out = {}
    for level in (ort.GraphOptimizationLevel.ORT_ENABLE_ALL, ort.GraphOptimizationLevel.ORT_DISABLE_ALL):
        options = ort.SessionOptions()
        options.graph_optimization_level = level
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        out[level] = session.run(None, {"input_values": np.asarray(features, dtype=np.float32)})[0]
    fused, exact = out.values()
    assert np.mean(np.abs(fused - exact) > 1e-4) < 0.02


def test_the_recipe_chooses_seven_bit_weights_for_the_caches_graph(tiny_models) -> None:
    import onnx
    from onnx import numpy_helper

    data = load_task(tiny_models.data_dir, task="detector")
    recipe = tiny_recipe("detector")
    assert recipe.model.int8_weight_bits == 7  # the detector recipe's default
    assert cache_key(data, recipe) != cache_key(data, recipe.replace(**{"model.int8_weight_bits": 8}))
    cache = build_cache(data, recipe=recipe)
    weights = [numpy_helper.to_array(t) for t in onnx.load(str(cache.encoder_graph)).graph.initializer]
    assert max(int(np.abs(w.astype(int)).max()) for w in weights if w.dtype == np.int8) <= 64
    assert graph_weight_bits(cache.encoder_graph) == 7 and Int8Encoder(cache.encoder_graph).weight_bits == 7
    with pytest.raises(InvalidParameterError, match="int8_weight_bits"):  # at the recipe, before any embedding
        recipe.replace(**{"model.int8_weight_bits": 6})


def test_the_checkpoint_records_its_graphs_weight_bits(tiny_models, tmp_path: Path) -> None:
    """7-bit graphs run on the fused kernels on every CPU; a graph without a record counts as 8-bit."""
    assert json.loads((tiny_models.detector_dir / INT8_INFO).read_text())["weight_bits"] == 7
    assert load_detector(tiny_models.detector_dir).int8_encoder.weight_bits == 7
    bare = tmp_path / "graph.onnx"
    shutil.copyfile(tiny_models.detector_dir / INT8_FILE, bare)
    assert graph_weight_bits(bare) == 8 and Int8Encoder(bare).weight_bits == 8
    bare.with_suffix(".json").write_text("not json")
    assert graph_weight_bits(bare) == 8


@pytest.mark.parametrize("bad", [{"model.encoder_precision": "int4"}, {"model.pooling": "attention"}])
def test_a_bad_encoder_setting_fails_at_the_recipe(bad: dict) -> None:
    with pytest.raises(InvalidParameterError, match=next(iter(bad)).split(".")[1]):
        tiny_recipe("detector").replace(**bad)


def test_a_checkpoints_graph_reuses_the_cache_it_was_trained_from(tiny_models, tmp_path: Path) -> None:
    """The same recipe, data and graph bytes: the recipe's own cache is read, not embedded again."""
    recipe = tiny_recipe("detector").replace(cache_dir=str(tmp_path / "caches"))
    data = load_task(tiny_models.data_dir, task="detector")
    own = build_cache(data, recipe=recipe)
    graph = tmp_path / "checkpoint" / "encoder-int8.onnx"
    graph.parent.mkdir()
    shutil.copyfile(own.encoder_graph, graph)
    shutil.copyfile(own.encoder_graph.with_suffix(".json"), graph.with_suffix(".json"))
    again = build_cache(data, recipe=recipe, int8_graph=graph)
    assert again.path == own.path and len(list((tmp_path / "caches").iterdir())) == 1


def test_a_graph_left_by_a_retrain_is_refused(tiny_models, tmp_path: Path) -> None:
    folder = tmp_path / "detector"
    shutil.copytree(tiny_models.detector_dir, folder)
    info = json.loads((folder / INT8_INFO).read_text())
    (folder / INT8_INFO).write_text(json.dumps({**info, "weights_sha256": "0" * 64}))
    with pytest.raises(ModelLoadError, match="made for other weights"):
        load_detector(folder)
