"""Inference speed and memory of the bundled checkpoints, with the references measured in the same run.

All in one process, torch on 2 threads, each figure the median of ``--repeats`` (>= 20) timed runs after
``--warmup`` untimed ones; measurements that are compared are interleaved run by run, so a change in the
machine's load hits both sides alike (the ratio is what counts on a shared machine):

- end-to-end ``babycry.analyse`` of a 7 s recording: decode (the bundled 7 s WAV, as bytes) -> preprocess ->
  features -> both models -> calibrated result, alone (as the app runs it); vs an AST-base-sized model
  (transformers ``ASTConfig()`` defaults, random weights, ``ASTFeatureExtractor()`` defaults) decoding and
  classifying the same clip; after 0.3 s idle (as a request reaches an idle app) with and without the analysis's
  two threads kept on different cores;
  vs the pre-issue-17 pipeline (each model framing the recording and running the feature extractor itself,
  the steady-sound rule framing it a third time, eager models);
- where the 7 s analysis's time goes: each stage alone on one thread (decode, band limit and framing, the
  detector's features, its encoder, the reason model, the sound measures), and the detector encoder's graph by
  ONNX Runtime operator type (its profiler);
- decoding alone: the 7 s WAV (libsndfile) vs the same clip as a browser's WebM/Opus (ffprobe + ffmpeg);
- a 60 s recording (new and pre-issue-17 pipeline);
- throughput: 64 clips of 7 s through ``analyse_batch`` (one forward pass per model) vs one ``analyse`` each;
- the process's resident memory after warm-up (before the AST-base reference is built) and at the end.

    python benchmarks/inference_speed.py [--repeats 20] [--warmup 3] [--detector DIR] [--reason DIR]

Writes benchmarks/results/inference_speed.json; docs/performance.md quotes it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from babycry.analysis import analyse, analyse_batch, is_steady_sound
from babycry.audio import Audio, from_array, load
from babycry.modeling import (
    DEFAULT_DETECTOR_DIR,
    DEFAULT_REASON_DIR,
    CryModel,
    background,
    frame_windows,
    load_detector,
    load_reason,
)
from babycry.synth import synth_cry

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "assets" / "examples" / "synth_cry_7s.wav"
RESULTS = ROOT / "benchmarks" / "results"


def rss_mb() -> float:
    """Resident memory of this process now (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fns: dict[str, Callable[[], object]], *, repeats: int, warmup: int,
          pause_s: float = 0.0) -> dict[str, dict[str, float]]:
    """Median/min/max ms of each function over ``repeats`` interleaved runs after ``warmup`` untimed ones; with
    ``pause_s``, each timed run comes after that long idle (untimed), as a request to an idle server."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            if pause_s:
                time.sleep(pause_s)
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            times[name].append((time.perf_counter() - start) * 1e3)
            cpu[name].append((time.process_time() - start_cpu) * 1e3)
    # cpu_ms: CPU time of this process (all its threads) per run; unlike wall time it barely depends on what
    # else the machine runs, so it shows what a quiet machine would take for single-threaded work.
    return {name: {"median_ms": round(statistics.median(t), 2), "min_ms": round(min(t), 2),
                   "max_ms": round(max(t), 2), "cpu_ms": round(statistics.median(cpu[name]), 2), "runs": len(t)}
            for name, t in times.items()}


def old_pipeline(audio: Audio, det: CryModel, rea: CryModel) -> float:
    """What analyse did before issue 17: each model frames the recording and runs the feature extractor
    on its windows, the model runs eagerly in batches of 32; the steady-sound rule frames it a third time."""
    probs = []
    for model in (det, rea):
        windows, _ = frame_windows(audio.samples, sample_rate=audio.sample_rate)
        fe = model.feature_extractor
        out = []
        with torch.inference_mode():
            for i in range(0, len(windows), 32):
                feats = fe(list(windows[i : i + 32]), sampling_rate=16_000, return_tensors="pt")["input_values"]
                out.append(model.model(input_values=feats).logits.numpy())
        probs.append(model.calibrate(np.concatenate(out).mean(axis=0)))
    is_steady_sound(audio)
    return float(probs[0][1])


def stages_7s(blob: bytes, det: CryModel, rea: CryModel, *, repeats: int, warmup: int) -> dict[str, object]:
    """Each stage of a 7 s analysis alone on this thread (``analyse`` overlaps them on two)."""
    from babycry.analysis import _sounds  # noqa: PLC2701 - the stage the analysis runs, timed on its own
    from babycry.config import SteadySoundConfig
    from babycry.pattern import PatternConfig

    audio = load(blob)
    windows, spans = frame_windows(audio.samples, sample_rate=audio.sample_rate)
    features = det.features(windows)
    encoder = det.int8_encoder.embed if det.inference_dtype == "int8" else det.window_outputs
    fns = {
        "decode": lambda: load(blob),
        "band_limit_and_framing": lambda: frame_windows(audio.samples, sample_rate=audio.sample_rate),
        "detector_features": lambda: det.features(windows),
        "detector_encoder": lambda: encoder(features),
        "reason_features_and_graph": lambda: rea.window_outputs(rea.features(windows)),
        "sound_measures": lambda: _sounds([audio], [(windows, spans)], SteadySoundConfig(), PatternConfig()),
    }
    out: dict[str, object] = {"windows": len(windows), **timed(fns, repeats=repeats, warmup=warmup)}
    if det.inference_dtype == "int8":
        out["encoder_ops_ms_per_window"] = encoder_ops(det.int8_encoder.path, features[:1], runs=repeats,
                                                       warmup=warmup)
        # counted on the float network the graph quantises (served, the detector holds only the graph and its head)
        network = load_detector(det.model_id, runtime="transformers").model
        out["encoder_gmacs_per_window"] = round(conv_macs(network, features[:1]) / 1e9, 3)
    return out


def conv_macs(model: torch.nn.Module, features: np.ndarray) -> int:
    """Multiply-adds of the convolutions of ``model.embed`` on ``features`` (the float network the int8 graph
    quantises): each output value costs ``in_channels / groups x kernel area``."""
    total = [0]

    def count(module: torch.nn.Conv2d, _inputs: object, output: torch.Tensor) -> None:
        k = module.kernel_size[0] * module.kernel_size[1]
        total[0] += output.numel() * module.in_channels // module.groups * k

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    try:
        with torch.inference_mode():
            model.embed(torch.as_tensor(np.asarray(features, dtype=np.float32)))
    finally:
        for hook in hooks:
            hook.remove()
    return total[0]


def encoder_ops(path: Path, features: np.ndarray, *, runs: int, warmup: int) -> dict[str, float]:
    """The int8 encoder graph's time per window by operator type (ONNX Runtime's profiler, one thread; the
    ``warmup`` runs before the ``runs`` counted are left out)."""
    from babycry.modeling.onnx_runtime import session

    with tempfile.TemporaryDirectory(prefix="babycry-ort-") as tmp:
        profiled = session(path, threads=1, profile_prefix=str(Path(tmp) / "encoder"))
        x = {"input_values": np.ascontiguousarray(features, dtype=np.float32)}
        for _ in range(warmup + runs):
            profiled.run(None, x)
        events = json.loads(Path(profiled.end_profiling()).read_text())
    ends = sorted(e["ts"] + e["dur"] for e in events if e.get("name") == "model_run")
    counted_from = ends[warmup - 1] if warmup else 0
    totals: dict[str, float] = {}
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time") and event["ts"] >= counted_from:
            op = event["args"]["op_name"]
            totals[op] = totals.get(op, 0.0) + event["dur"] / 1e3 / runs
    ranked = dict(sorted(((op, round(ms, 3)) for op, ms in totals.items()), key=lambda kv: -kv[1]))
    return {"total": round(sum(totals.values()), 3), **ranked}


def ast_base() -> tuple[object, object]:
    """An AST-base-sized classifier: ASTConfig() defaults (12 x 768, 1214 patches), random weights."""
    from transformers import ASTConfig, ASTFeatureExtractor, ASTForAudioClassification

    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 128 mel filters on 257 FFT bins leave one empty: the defaults' own warning
        return ASTFeatureExtractor(), ASTForAudioClassification(ASTConfig()).eval()


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {"cpu": cpu, "cores": os.cpu_count(), "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "commit": commit, "load_average_start": os.getloadavg()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--detector", default=str(DEFAULT_DETECTOR_DIR))
    p.add_argument("--reason", default=str(DEFAULT_REASON_DIR))
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--out", default=str(RESULTS / "inference_speed.json"))
    args = p.parse_args()
    torch.set_num_threads(2)
    report: dict[str, object] = {"machine": machine(), "repeats": args.repeats, "warmup": args.warmup}
    rss_start = rss_mb()

    t0 = time.perf_counter()
    det, rea = load_detector(args.detector), load_reason(args.reason)  # as the app serves them (runtime="auto")
    report["load_models_s"] = round(time.perf_counter() - t0, 3)
    report["runtimes"] = {"detector": det.runtime, "reason": rea.runtime}
    # bfloat16 on a CPU with AMX tiles, float32 elsewhere: the detector's cost differs about 4x between them
    report["precisions"] = {"detector": det.inference_dtype, "reason": rea.inference_dtype}
    # the pre-issue-17 pipeline ran the transformers models themselves
    old_det, old_rea = (load_detector(args.detector, runtime="transformers"),
                        load_reason(args.reason, runtime="transformers"))
    blob = CLIP.read_bytes()

    def ours_7s() -> object:
        return analyse(load(blob), detector=det, reason=rea)

    # --- 7 s: ours (end to end) vs the pre-issue-17 pipeline -------------------------------------------------
    clip = load(blob)
    result = ours_7s()
    report["clip"] = {"file": str(CLIP.relative_to(ROOT)), "seconds": clip.duration_s, "windows": len(result.windows)}
    # alone first, as the app's model process runs it: interleaved with the torch references below, their OpenMP
    # threads spin on after each run (libgomp) and take the second core our analysis now uses
    report["clip_7s_alone"] = timed({"analyse": ours_7s}, repeats=args.repeats, warmup=args.warmup)
    alone = report["clip_7s_alone"]["analyse"]
    print(f"7 s clip, end to end, alone: analyse {alone['median_ms']:.1f} ms (CPU {alone['cpu_ms']:.1f} ms)",
          flush=True)
    report["stages_7s"] = stages_7s(blob, det, rea, repeats=args.repeats, warmup=args.warmup)
    stages = report["stages_7s"]
    print("7 s clip, each stage alone on one thread: " + ", ".join(
        f"{name} {v['median_ms']:.1f} ms" for name, v in stages.items() if isinstance(v, dict) and "median_ms" in v),
        flush=True)
    if "encoder_ops_ms_per_window" in stages:
        ops = stages["encoder_ops_ms_per_window"]
        print(f"detector encoder graph per window: {ops['total']:.2f} ms, of it " + ", ".join(
            f"{op} {ms:.2f}" for op, ms in list(ops.items())[1:4])
            + f"; {stages['encoder_gmacs_per_window']} G multiply-adds a window", flush=True)
    # after 0.3 s idle, as a parent's request reaches the app: with the analysis's two threads kept on different
    # cores (what analyse does) and left where the scheduler wakes them (the change's "before": with cores_apart's
    # lock held, as by another analysis of the process, analyse leaves the affinities alone)
    def threads_not_kept_apart() -> object:
        with background._APART:  # noqa: SLF001 - the benchmark's switch for the "before" side
            return ours_7s()

    report["clip_7s_after_idle"] = timed({"analyse": ours_7s, "threads_not_kept_apart": threads_not_kept_apart},
                                         repeats=args.repeats, warmup=args.warmup, pause_s=0.3)
    idle = report["clip_7s_after_idle"]
    print(f"7 s clip after 0.3 s idle: analyse {idle['analyse']['median_ms']:.1f} ms, threads not kept apart "
          f"{idle['threads_not_kept_apart']['median_ms']:.1f} ms", flush=True)
    report["clip_7s"] = timed({"analyse": ours_7s, "pre_issue_17": lambda: old_pipeline(load(blob), old_det, old_rea)},
                              repeats=args.repeats, warmup=args.warmup)
    report["rss_after_warmup_mb"] = round(rss_mb(), 1)
    ours, old = report["clip_7s"]["analyse"], report["clip_7s"]["pre_issue_17"]
    print(f"7 s clip, end to end: analyse {ours['median_ms']:.1f} ms (CPU {ours['cpu_ms']:.1f} ms), pre-issue-17 "
          f"pipeline {old['median_ms']:.1f} ms (CPU {old['cpu_ms']:.1f} ms)", flush=True)

    # --- decoding alone: the WAV bytes above vs a browser's WebM/Opus of the same clip (ffprobe + ffmpeg) -------
    with tempfile.TemporaryDirectory(prefix="babycry-bench-") as tmp:
        webm = Path(tmp) / "clip.webm"
        made = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(CLIP), "-c:a", "libopus",
                               str(webm)], capture_output=True, check=False).returncode == 0 if shutil.which("ffmpeg") \
            else False
        fns = {"wav_bytes": lambda: load(blob)}
        if made:
            fns["webm_file"] = lambda: load(webm)
        report["decode_7s"] = timed(fns, repeats=args.repeats, warmup=args.warmup)
    print("decode 7 s: " + ", ".join(f"{k} {v['median_ms']:.1f} ms" for k, v in report["decode_7s"].items()),
          flush=True)

    # --- 60 s recording -----------------------------------------------------------------------------------
    long = from_array(synth_cry(seconds=60.0, sample_rate=16_000, seed=60).samples, 16_000)
    report["recording_60s"] = timed({"analyse": lambda: analyse(long, detector=det, reason=rea),
                                     "pre_issue_17": lambda: old_pipeline(long, old_det, old_rea)},
                                    repeats=args.repeats, warmup=1)
    report["recording_60s"]["windows"] = len(analyse(long, detector=det, reason=rea).windows)
    ours, old = report["recording_60s"]["analyse"], report["recording_60s"]["pre_issue_17"]
    print(f"60 s recording: analyse {ours['median_ms']:.1f} ms (CPU {ours['cpu_ms']:.1f} ms), pre-issue-17 "
          f"{old['median_ms']:.1f} ms (CPU {old['cpu_ms']:.1f} ms)", flush=True)

    # --- throughput: 64 clips --------------------------------------------------------------------------------
    clips = [from_array(synth_cry(seconds=7.0, sample_rate=16_000, seed=i).samples, 16_000) for i in range(64)]
    batch_repeats = max(5, args.repeats // 4)
    tp = timed({"analyse_batch": lambda: analyse_batch(clips, detector=det, reason=rea),
                "analyse_each": lambda: [analyse(c, detector=det, reason=rea) for c in clips]},
               repeats=batch_repeats, warmup=1)
    report["throughput_64_clips"] = {name: {**v, "clips_per_s": round(64 / (v["median_ms"] / 1e3), 1)}
                                     for name, v in tp.items()}
    print(f"64 clips: {report['throughput_64_clips']['analyse_batch']['clips_per_s']} clips/s batched, "
          f"{report['throughput_64_clips']['analyse_each']['clips_per_s']} clips/s one by one", flush=True)
    report["rss_before_reference_mb"] = round(rss_mb(), 1)

    # --- the AST-base reference, interleaved with ours on the same clip ----------------------------------
    fe, base = ast_base()

    def reference_7s() -> object:
        audio = load(blob)
        feats = fe(audio.samples, sampling_rate=16_000, return_tensors="pt")["input_values"]
        with torch.inference_mode():
            return base(input_values=feats).logits

    report["reference"] = {"model": "ASTForAudioClassification(ASTConfig()) random weights + ASTFeatureExtractor()",
                           "parameters": sum(p.numel() for p in base.parameters()),
                           "ours_parameters": sum(p.numel() for m in (old_det, old_rea) for p in m.model.parameters())}
    versus = timed({"analyse": ours_7s, "ast_base": reference_7s}, repeats=args.repeats, warmup=2)
    report["versus_ast_base_7s"] = {**versus, "ratio": round(versus["ast_base"]["median_ms"]
                                                              / versus["analyse"]["median_ms"], 1)}
    ours, base_t = versus["analyse"], versus["ast_base"]
    print(f"7 s clip vs AST-base: analyse {ours['median_ms']:.1f} ms (CPU {ours['cpu_ms']:.1f} ms), AST-base "
          f"{base_t['median_ms']:.1f} ms (CPU {base_t['cpu_ms']:.1f} ms): {report['versus_ast_base_7s']['ratio']}x "
          "faster", flush=True)
    report["rss_start_mb"] = round(rss_start, 1)
    report["peak_rss_mb"] = round(peak_rss_mb(), 1)
    report["machine"]["load_average_end"] = os.getloadavg()
    print(f"RSS after warm-up {report['rss_after_warmup_mb']} MB (library process, before the AST-base "
          f"reference); peak {report['peak_rss_mb']} MB", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
