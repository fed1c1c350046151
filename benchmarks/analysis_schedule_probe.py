"""Probe (issue 17, removed in the next commit): other ways to spread a 7 s analysis over the two cores.

On an AVX2-only CPU the detector's int8 encoder takes ~21 ms a window and a 7 s clip is 3 windows, so the
calling thread runs two of them while the background thread runs one and the reason model: the last window runs
alone. Variants, interleaved in one process (median of ``--runs`` analyses each, after warm-up):

- ``shipped``: :func:`babycry.analyse` as it is;
- ``windows first``: one pool of tasks taken by whichever thread is free, the detector's windows first, then the
  reason model and the measures of the sound; a lone last window (an odd count) on a 2-thread ONNX Runtime
  session, so the core the other thread frees helps with it;
- ``reason first``: the same pool, the reason model and the measures first;
- ``one batch``: every window in one call of a 2-thread session, the reason model beside it.

Then torch's int8 convolutions (FBGEMM) against ONNX Runtime's on the encoder's three 3x3 convolution shapes.

    python benchmarks/analysis_schedule_probe.py [--runs 100]
"""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np

from babycry import analyse, load_detector, load_reason
from babycry import analysis as A
from babycry.audio import load
from babycry.config import AudioConfig, SteadySoundConfig, WindowConfig
from babycry.modeling import background as B
from babycry.modeling.onnx_runtime import session
from babycry.pattern import PatternConfig


def pool(tasks: list) -> list:
    """Each task on whichever of the two threads is free, in order."""
    results: list = [None] * len(tasks)
    order = iter(range(len(tasks)))
    take = threading.Lock()

    def work() -> None:
        while True:
            with take:
                i = next(order, None)
            if i is None:
                return
            results[i] = tasks[i]()

    helper = B.submit(work)
    work()
    helper.result()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    det, rea = load_detector(), load_reason()
    audio = load("assets/examples/synth_cry_7s.wav")
    two = session(det.int8_encoder.path, threads=2, config={"session.intra_op.allow_spinning": "0"})

    def run_two(features: np.ndarray) -> np.ndarray:
        return two.run(None, {"input_values": np.ascontiguousarray(features, dtype=np.float32)})[0]

    def pooled(order: str):
        def analysis():
            with B.cores_apart():
                wins, spans = A.frame_windows(audio.samples, sample_rate=audio.sample_rate, window=WindowConfig(),
                                              audio_config=AudioConfig())
                n = len(wins)

                def window(i: int):
                    def task():
                        features = det.features(wins[i : i + 1])
                        lone = i == n - 1 and n % 2 == 1
                        return run_two(features) if lone else det.int8_encoder.embed(features)
                    return task

                windows = [window(i) for i in range(n)]
                others = [lambda: rea.window_outputs(rea.features(wins)),
                          lambda: A._sounds([audio], [(wins, spans)], SteadySoundConfig(), PatternConfig())]
                if order == "windows first":
                    out = pool(windows + others)
                    det_out, rea_out, sounds = out[:n], out[n], out[n + 1]
                elif order == "reason first":
                    out = pool(others + windows)
                    det_out, rea_out, sounds = out[2:], out[0], out[1]
                else:  # one batch
                    job = B.submit(lambda: (rea.window_outputs(rea.features(wins)),
                                            A._sounds([audio], [(wins, spans)], SteadySoundConfig(), PatternConfig())))
                    det_out = [run_two(det.features(wins))]
                    rea_out, sounds = job.result()
                (steady_sound, sound), = sounds
                det_out = np.concatenate(det_out, axis=0).astype(np.float64)
                return A._answer(audio, det=det.prediction(det_out, spans=spans),
                                 rea=rea.prediction(rea_out, spans=spans), steady_sound=steady_sound, sound=sound,
                                 detector=det, reason=rea, cry_threshold=A.CRY_THRESHOLD, digits=4)
        return analysis

    variants = {"shipped": lambda: analyse(audio, detector=det, reason=rea), "windows first": pooled("windows first"),
                "reason first": pooled("reason first"), "one batch": pooled("one batch")}
    same = {name: v().to_dict() == variants["shipped"]().to_dict() for name, v in variants.items()}
    for _ in range(5):
        for v in variants.values():
            v()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, v in variants.items():
            t = time.perf_counter()
            v()
            times[name].append((time.perf_counter() - t) * 1000)
    print(f"7 s analysis, {args.runs} interleaved runs each")
    for name, ts in times.items():
        print(f"{name:<14} median {np.median(ts):5.1f} ms (quartiles {np.percentile(ts, 25):5.1f}-"
              f"{np.percentile(ts, 75):5.1f}), same answer: {same[name]}")

    import torch
    from torch.ao.nn.quantized import Conv2d

    torch.set_num_threads(1)
    torch.backends.quantized.engine = "fbgemm"
    for cin, h, w in ((64, 130, 72), (128, 65, 36), (256, 32, 18)):
        conv = Conv2d(cin, cin, 3, padding=1)
        weight = torch.quantize_per_channel(torch.randn(cin, cin, 3, 3) * 0.05, torch.full((cin,), 0.002),
                                            torch.zeros(cin, dtype=torch.long), 0, torch.qint8)
        conv.set_weight_bias(weight, torch.zeros(cin))
        x = torch.quantize_per_tensor(torch.rand(1, cin, h, w), 0.01, 0, torch.quint8).contiguous(
            memory_format=torch.channels_last)
        for _ in range(5):
            conv(x)
        t = time.perf_counter()
        for _ in range(30):
            conv(x)
        ms = (time.perf_counter() - t) / 30 * 1000
        print(f"torch FBGEMM int8 3x3 conv {cin}->{cin} on {h}x{w}: {ms:.2f} ms, "
              f"{cin * cin * 9 * h * w / ms / 1e6:.0f} G multiply-adds/s")


if __name__ == "__main__":
    main()
