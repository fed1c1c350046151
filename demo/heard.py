"""What the app heard (``/spectrogram``): the signal the models see, and the band-pass filter's effect on it."""

from __future__ import annotations

import logging
import threading
from typing import Any

import gradio as gr
import numpy as np

from babycry.config import AudioConfig, BandPassConfig, MelConfig
from babycry.playback import to_int16

from .errors import load_recording, number, readable_errors
from .models import Models, lower_thread_priority

logger = logging.getLogger(__name__)

__all__ = ["WARM_AFTER_S", "spectrogram_views", "warm_views"]

#: Seconds the view warm-up waits for a first answer, once the models are ready (``app.py`` starts it just before the
#: launch), before it starts anyway.
WARM_AFTER_S = 3.0


def spectrogram_views(
    recording: str | None,
    centre_hz: float,
    bandwidth_fraction: float,
    rolloff_db_per_octave: float,
    *,
    mel_config: MelConfig = MelConfig(),
    audio_config: AudioConfig = AudioConfig(),
) -> tuple[Any, Any, Any, tuple[int, np.ndarray], dict[str, Any]]:
    """The ``/spectrogram`` endpoint: what the models hear, and the band-pass filter's effect.

    Parameters
    ----------
    recording : str or None
        Path of the recording.
    centre_hz, bandwidth_fraction, rolloff_db_per_octave : float
        The band-pass filter (:class:`babycry.config.BandPassConfig`).

    Returns
    -------
    tuple
        ``(mel_figure, waveform_figure, filter_response_figure, (rate, int16 filtered audio), band_info)``.
    """
    # Checked before the recording is read: a bad parameter is the client's to fix, whatever the recording.
    rolloff = int(number(rolloff_db_per_octave, name="rolloff_db_per_octave", low=12, high=48, whole=True))
    if rolloff % 12:
        raise gr.Error(f"rolloff_db_per_octave must be 12, 24, 36 or 48, got {rolloff_db_per_octave!r}.",
                       title="Bad parameter", print_exception=False)
    band = BandPassConfig(
        centre_hz=number(centre_hz, name="centre_hz", low=200, high=3500),
        bandwidth_fraction=number(bandwidth_fraction, name="bandwidth_fraction", low=0.1, high=1.9),
        rolloff_db_per_octave=rolloff,
    )
    audio = load_recording(recording, config=audio_config)
    with readable_errors("drawing the spectrogram"):
        from babycry import features, plots, preprocess  # scipy, librosa and plotly load on first use

        sr = audio.sample_rate
        heard = preprocess.prepare(audio.samples, sample_rate=sr, config=audio_config)
        filtered = preprocess.band_pass(heard, sample_rate=sr, config=band)
        spec = features.log_mel(heard, sample_rate=sr, config=mel_config)
        mel_fig = plots.spectrogram_figure(spec, title=None)  # the gr.Plot label names it
        wave_fig = plots.waveform_figure(
            heard, filtered, sample_rate=sr, names=("analysed", "band-passed"), title=None
        )
        response_fig = plots.band_pass_response_figure(sample_rate=sr, config=band, title=None)
        low, high = band.edges_hz
        info = {
            "band_hz": [round(low, 1), round(high, 1)],
            "rolloff_db_per_octave": band.rolloff_db_per_octave,
            "rms_dbfs_before": round(float(preprocess.rms_dbfs(heard)), 2),
            "rms_dbfs_after": round(float(preprocess.rms_dbfs(filtered)), 2),
            "seconds": round(float(audio.duration_s), 3),
        }
    return mel_fig, wave_fig, response_fig, (sr, to_int16(filtered)), info


def warm_views(models: Models, example: str, *, after_s: float = WARM_AFTER_S) -> threading.Thread:
    """Draw ``example``'s views once in a background thread of the server, after the first answer (or ``after_s``
    seconds) once the models are ready.

    The views load scipy.signal, librosa (with numba) and plotly on first use: the first *What the app heard*
    took 3.5-4.4 s on the AVX2 EPYC, later ones 0.1 s.  Those imports hold the server's interpreter lock, so they
    wait until they cannot slow the page or the first answer: the models ready (the worker loads on the other
    core), then the first request answered or ``after_s`` seconds gone (on a Space, long before anyone clicks).
    Started as soon as the models were ready, it overlapped the launch once the worker came up in ~2 s: first
    answer 5.43 s against 5.20 s without the warm-up (medians of five alternated starts on the AVX2 EPYC); started
    after the first answer or 3 s, 4.85 s (4.44-4.95).  The price: a *What the app heard* asked for within ~3 s of
    the page appearing waits for those imports (~4.7-5.0 s instead of ~1.5 s); a few seconds later, 0.3 s.  The
    thread runs at low priority (Linux: this thread only).  A failure here is logged and changes nothing: the real
    call reports its own errors.

    Examples
    --------
    >>> warm_views(Models(detector_path="/no/such", reason_path="/no/such", worker=False),
    ...            "assets/examples/synth_cry_7s.wav", after_s=0.0).join(timeout=120)
    """

    def run() -> None:
        lower_thread_priority()
        models.load_error()  # returns once the worker is ready, or has failed
        models.wait_for_first_answer(after_s)
        band = BandPassConfig()
        try:
            spectrogram_views(example, band.centre_hz, band.bandwidth_fraction, band.rolloff_db_per_octave)
        except Exception:  # noqa: BLE001 - a warm-up has no answer to get wrong; the real call reports errors
            logger.debug("warming the views failed", exc_info=True)

    thread = threading.Thread(target=run, name="babycry-warm-views", daemon=True)
    thread.start()
    return thread
