"""Every failure as a message a parent can read: library errors become ``gr.Error``, never a traceback.

Every handler wraps its library calls in :func:`readable_errors`, so a
:class:`babycry.errors.BabyCryError` reaches the page as a ``gr.Error`` that
carries the library's own message (never a blank result), and the page keeps
working for the next recording.  :func:`load_recording` turns the file path
Gradio hands over into validated audio, or into the reason there is none.

Audio arrives as a file path (``gr.Audio(type="filepath")``): the library
decodes every format a browser or phone records (WebM/Opus, M4A/AAC, …) via
ffmpeg, in memory; nothing is written beside the upload Gradio already cached.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gradio as gr

from babycry import audio as bc_audio
from babycry.config import AudioConfig
from babycry.errors import AudioDecodeError, BabyCryError

logger = logging.getLogger(__name__)

__all__ = ["readable_errors", "load_recording", "UPLOAD_HINT", "next_step", "number", "checked_by_handler"]

#: What to do after a file that is not a recording babycry can read (also what the page says when the browser
#: itself refuses a file: see ``demo.ui.FRIENDLY_NOTICES_JS``).
UPLOAD_HINT = "Please upload a recording (WAV, MP3, M4A, OGG, WebM, FLAC…) or record one with the microphone."


def next_step(exc: BabyCryError) -> str:
    """The library's message, plus what to do next where it does not already say.

    Examples
    --------
    >>> from babycry.errors import UnsupportedFormatError
    >>> next_step(UnsupportedFormatError("'x.txt' is not a recording babycry can read."))
    "'x.txt' is not a recording babycry can read. Please upload a recording (WAV, MP3, M4A, OGG, WebM, FLAC…) \
or record one with the microphone."
    """
    message = str(exc)
    if isinstance(exc, AudioDecodeError) and "please" not in message.lower():
        message = f"{message} {UPLOAD_HINT}"
    return message


@contextmanager
def readable_errors(action: str) -> Iterator[None]:
    """Turn every exception raised inside into a ``gr.Error`` a parent can read.

    Library errors keep their message (it already says what was wrong and
    echoes the value).  Anything else is a bug: it is logged with its
    traceback on the server and the page gets a short, honest message.

    Parameters
    ----------
    action : str
        What was being done, e.g. ``"analysing the recording"``, used in the
        message for unexpected failures.

    Examples
    --------
    >>> from babycry.errors import InvalidAudioError
    >>> try:
    ...     with readable_errors("testing"):
    ...         raise InvalidAudioError("The recording is silent.")
    ... except gr.Error as err:
    ...     print(err.message)
    The recording is silent.
    """
    try:
        yield
    except gr.Error:
        raise
    except BabyCryError as exc:
        raise gr.Error(next_step(exc), title="Cannot use this recording", print_exception=False) from None
    except Exception:  # noqa: BLE001 - the page must get a message, the log gets the traceback
        logger.exception("unexpected error while %s", action)
        raise gr.Error(
            f"Something went wrong while {action}. Please try again or use another recording.",
            print_exception=False,
        ) from None


def load_recording(path: str | Path | None, *, config: AudioConfig = AudioConfig()) -> bc_audio.Audio:
    """Decode and validate the recording Gradio hands over as a file path.

    Parameters
    ----------
    path : str, Path or None
        The cached upload or microphone recording (``None`` when there is none).
    config : AudioConfig
        Limits and target rate.

    Returns
    -------
    babycry.audio.Audio

    Raises
    ------
    gradio.Error
        No recording, an expired upload, or any library rejection (empty,
        silent, too short, not audio, …) with the library's message.

    Examples
    --------
    >>> load_recording(None)
    Traceback (most recent call last):
    ...
    gradio.exceptions.Error: 'No recording yet: record with the microphone or upload a file, then press Analyse.'
    """
    if path is None or (isinstance(path, str) and not path.strip()):
        raise gr.Error(
            "No recording yet: record with the microphone or upload a file, then press Analyse.",
            title="No recording",
            print_exception=False,
        )
    if not Path(path).exists():
        raise gr.Error(
            "This recording is no longer on the server (uploads are deleted after a few minutes). "
            "Please upload or record it again.",
            title="Recording expired",
            print_exception=False,
        )
    with readable_errors("reading the recording"):
        return bc_audio.load(path, config=config)


def number(value: object, *, name: str, low: float, high: float, whole: bool = False) -> float:
    """An endpoint's numeric parameter, checked: a clear ``gr.Error`` (never a server traceback) when it is not.

    Parameters
    ----------
    value : object
        What the client sent.
    name : str
        The parameter's name, as the API documents it.
    low, high : float
        Its range (inclusive).
    whole : bool
        It must be a whole number.

    Examples
    --------
    >>> number("1500", name="centre_hz", low=200, high=3500)
    1500.0
    >>> number("abc", name="centre_hz", low=200, high=3500)
    Traceback (most recent call last):
    ...
    gradio.exceptions.Error: "centre_hz must be a number from 200 to 3500, got 'abc'."
    """
    kind = "a whole number" if whole else "a number"
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        x = float("nan")
    if isinstance(value, bool) or not low <= x <= high or (whole and x != int(x)):
        raise gr.Error(f"{name} must be {kind} from {low:g} to {high:g}, got {value!r}.", title="Bad parameter",
                       print_exception=False)
    return x


def checked_by_handler(component: gr.components.Component) -> gr.components.Component:
    """Let an API input reach its handler unchanged: the handler checks it (:func:`number`) with a clear message.

    Gradio's own checks of a slider's or number's range raise a ``gr.Error`` that prints a server traceback, and a
    value that is not a number fails with a ``TypeError`` and a generic message; the endpoints' handlers check
    every parameter themselves instead, so a bad parameter is always a clear error and never a traceback.

    Examples
    --------
    >>> slider = checked_by_handler(gr.Slider(0, 10, value=5))
    >>> slider.preprocess("abc")
    'abc'
    """
    component.preprocess = lambda payload: payload  # type: ignore[method-assign]
    return component
