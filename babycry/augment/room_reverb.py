"""Room reverberation: the sound as a phone hears it a metre or three away in a room (a synthetic impulse response)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Augmentation, GeneratorTransform, Param

__all__ = ["RoomReverbAugmentation", "RoomReverb", "room_impulse_response"]

#: ln(1000): the amplitude envelope exp(-LN_1000 * t / rt60) has fallen 60 dB (in energy) at t = rt60.
LN_1000 = float(np.log(1000.0))
#: Above this frequency the tail dies out faster (walls, furnishings and air absorb treble first).
TREBLE_HZ = 2000.0
#: Share of the reverberation time the treble half of the tail lasts.
TREBLE_DECAY = 0.6
#: The first reflections arrive after the direct sound (a few metres of path).
PRE_DELAY_S = 0.003


def room_impulse_response(*, rt60_s: float, drr_db: float, sample_rate: int,
                          rng: np.random.Generator) -> np.ndarray:
    """A statistical room impulse response: the direct sound, then a diffuse tail of exponentially decaying noise.

    The tail's energy falls 60 dB in ``rt60_s`` below 2 kHz and in 60% of it above (Polack's model with
    frequency-dependent decay); its total energy is ``drr_db`` below the direct sound's.

    Examples
    --------
    >>> h = room_impulse_response(rt60_s=0.5, drr_db=3.0, sample_rate=16000, rng=np.random.default_rng(0))
    >>> h.size, float(h[0]), round(float(10 * np.log10(1.0 / np.sum(h[1:] ** 2))), 1)
    (9600, 1.0, 3.0)
    """
    from scipy import signal  # on first use: the app's page needs this module, not scipy.signal (~1 s)

    n = max(int(rt60_s * sample_rate * 1.2), 2)
    t = np.arange(n) / sample_rate
    low = signal.sosfilt(signal.butter(2, TREBLE_HZ, btype="lowpass", fs=sample_rate, output="sos"),
                         rng.standard_normal(n)) * np.exp(-LN_1000 * t / rt60_s)
    high = signal.sosfilt(signal.butter(2, TREBLE_HZ, btype="highpass", fs=sample_rate, output="sos"),
                          rng.standard_normal(n)) * np.exp(-LN_1000 * t / (TREBLE_DECAY * rt60_s))
    tail = low + high
    tail[: max(1, int(PRE_DELAY_S * sample_rate))] = 0.0
    tail *= np.sqrt(10.0 ** (-drr_db / 10.0) / np.sum(tail**2))
    tail[0] = 1.0
    return tail


class RoomReverb(GeneratorTransform):
    """Convolve with :func:`room_impulse_response`, keeping the length and the RMS level of the input."""

    def apply(self, samples: np.ndarray, *, sample_rate: int) -> np.ndarray:
        from scipy import signal

        rt60, drr = self.uniform("rt60_s"), self.uniform("drr_db")
        h = room_impulse_response(rt60_s=rt60, drr_db=drr, sample_rate=sample_rate, rng=self.rng)
        x = np.asarray(samples, dtype=np.float64)
        out = signal.fftconvolve(x, h)[: x.size]
        before, after = np.sqrt(np.mean(x**2)), np.sqrt(np.mean(out**2))
        if after > 0:  # the same level as before: reverberation, not a volume change
            out *= before / after
        self.parameters.update(rt60_s=rt60, drr_db=drr)
        return out.astype(np.float32)


class RoomReverbAugmentation(Augmentation):
    """Room reverberation: the sound followed by its echoes dying away, as a phone across a room records it.

    Donate-a-Cry's cries were recorded with the phone close to the baby, so without reverberation in training the
    detector took a room's echo as a sign of "not a cry" (the laughter videos it learned from are often filmed from
    across a room): a cry with 0.4 s of reverberation was found 84% of the time instead of 96%
    (docs/experiments.md). Training reverberates cries and not-cries alike, so the echo is no cue either way.

    Examples
    --------
    >>> RoomReverbAugmentation().param("rt60_s").max
    1.5
    """

    name = "room_reverb"
    description = ("Room echo: the sound as a phone hears it across a room (a bedroom rings ~0.4 s, a bathroom "
                   "~1 s).")
    params = (
        Param("rt60_s", 0.1, 1.5, 0.5, "s", "Reverberation time: how long the room rings on (60 dB decay)."),
        Param("drr_db", -6.0, 20.0, 4.0, "dB",
              "Direct-to-reverberant ratio; lower means the phone is further from the sound."),
    )

    def _build(self, bounds, *, p, sample_rate, rng, **options: Any):
        return RoomReverb(bounds, p=p, rng=rng)
