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
from babycry.errors import BabyCryError

logger = logging.getLogger(__name__)

__all__ = ["readable_errors", "load_recording"]


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
        raise gr.Error(str(exc), title="Cannot use this recording", print_exception=False) from None
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
