"""The shared base of every augmentation: validated parameters, seeding, and reading back what was applied.

An :class:`Augmentation` is a named, described transform whose parameters are
:class:`Param` records (the app builds its sliders from them, the CLI parses
them, training passes ranges).  :meth:`Augmentation.transform` validates fixed
values and ranges once and builds a callable transform; the subclass in each
file of this package only builds that transform and reads back the parameters
it drew.

Two kinds of transform exist, and the difference matters for reproducibility:

* transforms backed by audiomentations (time stretch, pitch shift, Gaussian
  noise, gain, band-pass) draw from the process-wide ``random`` and
  ``numpy.random`` generators, which :func:`seeded` seeds (training seeds them
  once per clip);
* the project's own transforms (background noise, microphone colour, voice
  bursts, phone codec) draw from the ``numpy.random.Generator`` they are given,
  so a training clip's windows depend only on its seed.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["Param", "AugmentResult", "Augmentation", "GeneratorTransform", "seeded", "Bounds"]

#: ``{parameter: (low, high)}``; ``low == high`` is a fixed value.
Bounds = dict[str, tuple[float, float]]

# audiomentations uses the process-wide generators: one lock serialises seeded use of them.
_RANDOM_LOCK = threading.RLock()


@dataclass(frozen=True)
class Param:
    """One parameter of an augmentation: its range, default and meaning.

    Attributes
    ----------
    name : str
        Keyword used in ``params`` / ``ranges`` and on the command line.
    min, max : float
        Inclusive range of allowed values.
    default : float
        Value used when the caller gives none.
    unit : str
        Unit shown next to the slider (``"dB"``, ``"Hz"``, ``"×"``…).
    description : str
        One sentence for the UI.
    step : float or None
        Values must be multiples of ``step`` (e.g. a filter roll-off), or None.

    Examples
    --------
    >>> p = Param("gain_db", -24.0, 12.0, 0.0, "dB", "Volume change.")
    >>> p.check(3)
    3.0
    >>> p.check(20)
    Traceback (most recent call last):
    ...
    babycry.errors.InvalidParameterError: gain_db must lie in [-24, 12] dB, got 20.
    """

    name: str
    min: float
    max: float
    default: float
    unit: str
    description: str
    step: float | None = None

    def check(self, value: Any, *, augmentation: str = "") -> float:
        """Return ``value`` as a float, or raise :class:`InvalidParameterError` echoing it.

        Parameters
        ----------
        value : number or numeric string
            The value to check (strings come from the command line).
        augmentation : str
            Name prefixed to the error message.

        Returns
        -------
        float

        Examples
        --------
        >>> Param("rolloff", 6, 48, 12, "dB/octave", "Slope.", step=6).check("18")
        18.0
        """
        where = f"{augmentation}: " if augmentation else ""
        if isinstance(value, bool):
            raise InvalidParameterError(f"{where}{self.name} must be a number, got {value!r}.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidParameterError(f"{where}{self.name} must be a number, got {value!r}.") from None
        if not math.isfinite(number) or not self.min <= number <= self.max:
            raise InvalidParameterError(
                f"{where}{self.name} must lie in [{self.min:g}, {self.max:g}] {self.unit}, got {value!r}."
            )
        if self.step is not None and not math.isclose(number / self.step, round(number / self.step), abs_tol=1e-9):
            raise InvalidParameterError(f"{where}{self.name} must be a multiple of {self.step:g}, got {value!r}.")
        return number

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for JSON / UI builders).

        Examples
        --------
        >>> Param("gain_db", -24.0, 12.0, 0.0, "dB", "Volume change.").to_dict()["max"]
        12.0
        """
        return asdict(self)


@dataclass(frozen=True)
class AugmentResult:
    """What :func:`babycry.augment.apply` returns.

    Attributes
    ----------
    samples : np.ndarray
        Augmented float32 mono samples (same length as the input, unless the transform changes it).
    sample_rate : int
        Their rate in Hz.
    name : str
        The augmentation's registry name.
    params_used : dict
        The parameters actually applied, read back from the transform (empty
        when a random-mode transform with ``p < 1`` chose not to apply).
    applied : bool
        Whether the transform changed the signal.
    seed : int or None
        The seed the call used.
    """

    samples: np.ndarray
    sample_rate: int
    name: str
    params_used: dict[str, Any] = field(default_factory=dict)
    applied: bool = True
    seed: int | None = None


@contextlib.contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed ``random`` and ``numpy.random`` for the block, then restore their state.

    audiomentations draws from these global generators (it takes no
    ``Generator``), so this is how its transforms are made reproducible.  The
    block holds a process-wide lock so that two threads (e.g. two Gradio
    requests) cannot interleave their draws.  ``seed=None`` only takes the lock.

    Parameters
    ----------
    seed : int or None
        Seed for both generators.

    Examples
    --------
    >>> import numpy as np
    >>> with seeded(3):
    ...     a = np.random.rand()
    >>> with seeded(3):
    ...     b = np.random.rand()
    >>> a == b
    True
    """
    with _RANDOM_LOCK:
        if seed is None:
            yield
            return
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**32:
            raise InvalidParameterError(f"seed must be a whole number in [0, 2**32), got {seed!r}.")
        py_state, np_state = random.getstate(), np.random.get_state()
        random.seed(int(seed))
        np.random.seed(int(seed))
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)


class GeneratorTransform:
    """A transform of the project's own that draws from an explicit ``numpy.random.Generator``.

    It has the audiomentations calling convention (``transform(samples, sample_rate=...)`` and a
    ``parameters`` dict with ``should_apply``), so both kinds are used alike.  The probability draw is
    skipped when ``p == 1``: a transform always applied consumes no random number for the decision.

    Parameters
    ----------
    bounds : dict
        ``{parameter: (low, high)}`` as validated by :meth:`Augmentation.resolve`.
    p : float
        Probability of applying.
    rng : numpy.random.Generator
        The generator every draw comes from.
    """

    def __init__(self, bounds: Bounds, *, p: float, rng: np.random.Generator) -> None:
        self.bounds, self.p, self.rng = bounds, p, rng
        self.parameters: dict[str, Any] = {"should_apply": False}

    def uniform(self, name: str) -> float:
        """A value of parameter ``name`` (its fixed value, or a uniform draw from its range)."""
        low, high = self.bounds[name]
        return low if low == high else float(self.rng.uniform(low, high))

    def __call__(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        apply = self.p >= 1.0 or self.rng.random() < self.p
        self.parameters = {"should_apply": bool(apply)}
        if not apply:
            return samples
        return self.apply(samples, sample_rate=sample_rate)

    def apply(self, samples: np.ndarray, *, sample_rate: int) -> np.ndarray:
        """Transform ``samples`` (always), recording what was drawn in :attr:`parameters`."""
        raise NotImplementedError


class Augmentation:
    """Base class: one named augmentation, its parameters, and how to build its transform.

    Subclasses set :attr:`name`, :attr:`description` and :attr:`params`, and
    implement :meth:`_build` (and :meth:`_read` to report what was drawn).

    Examples
    --------
    >>> from babycry.augment import get
    >>> get("gain").resolve({"gain_db": 6})
    {'gain_db': (6.0, 6.0)}
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    def param(self, name: str) -> Param:
        """The :class:`Param` called ``name``.

        Raises
        ------
        InvalidParameterError
            If there is none (the message lists the valid names).

        Examples
        --------
        >>> from babycry.augment import get
        >>> get("band_pass").param("rolloff").step
        6.0
        """
        for p in self.params:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.params) or "none"
        raise InvalidParameterError(f"{self.name} has no parameter {name!r}; its parameters are: {valid}.")

    def resolve(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        ranges: Mapping[str, Sequence[Any]] | None = None,
    ) -> Bounds:
        """Validate and merge fixed ``params`` and random ``ranges`` into ``{name: (low, high)}``.

        A parameter in ``params`` is fixed (``low == high``); one in ``ranges``
        is drawn uniformly from ``(low, high)``; any other takes its default.

        Examples
        --------
        >>> from babycry.augment import get
        >>> get("band_pass").resolve({"centre_hz": 1000}, ranges={"rolloff": (6, 24)})
        {'centre_hz': (1000.0, 1000.0), 'bandwidth_fraction': (1.33, 1.33), 'rolloff': (6.0, 24.0)}
        """
        params = dict(params or {})
        ranges = dict(ranges or {})
        for key in list(params) + list(ranges):
            self.param(key)  # unknown names fail here with the list of valid ones
        both = sorted(set(params) & set(ranges))
        if both:
            raise InvalidParameterError(f"{self.name}: {', '.join(both)} given both as a value and as a range.")
        out: Bounds = {}
        for p in self.params:
            if p.name in ranges:
                bounds = ranges[p.name]
                if isinstance(bounds, (str, bytes)) or len(bounds) != 2:
                    raise InvalidParameterError(
                        f"{self.name}: the range of {p.name} must be (low, high), got {bounds!r}."
                    )
                low, high = (p.check(v, augmentation=self.name) for v in bounds)
                if low > high:
                    raise InvalidParameterError(f"{self.name}: the range of {p.name} is empty: {bounds!r}.")
                out[p.name] = (low, high)
            else:
                value = p.check(params.get(p.name, p.default), augmentation=self.name)
                out[p.name] = (value, value)
        return out

    def transform(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        ranges: Mapping[str, Sequence[Any]] | None = None,
        p: float = 1.0,
        sample_rate: int = 16_000,
        rng: np.random.Generator | None = None,
        **options: Any,
    ) -> Any:
        """Build the transform (fixed where ``params``, random where ``ranges``).

        Parameters
        ----------
        params, ranges : mapping, optional
            As in :meth:`resolve`.
        p : float
            Probability the transform is applied (1 for a preview).
        sample_rate : int
            Rate of the audio it will see.
        rng : numpy.random.Generator, optional
            The generator of the project's own transforms (default: a fresh unseeded one).
        **options
            Transform-specific options (e.g. ``keep_length`` of time stretch, ``noise`` of background noise).

        Returns
        -------
        callable
            ``transform(samples, sample_rate=...) -> samples``, with a ``parameters`` dict.

        Examples
        --------
        >>> from babycry.augment import get
        >>> t = get("pitch_shift").transform({"semitones": 2})
        >>> type(t).__name__, t.min_semitones, t.max_semitones, t.p
        ('PitchShift', 2.0, 2.0, 1.0)
        """
        if not 0.0 <= float(p) <= 1.0:
            raise InvalidParameterError(f"{self.name}: the probability p must lie in [0, 1], got {p!r}.")
        bounds = self.resolve(params, ranges=ranges)
        self._check_rate(bounds, sample_rate)
        return self._build(bounds, p=float(p), sample_rate=sample_rate,
                           rng=rng if rng is not None else np.random.default_rng(), **options)

    def read_params(self, transform: Any, samples: np.ndarray) -> dict[str, Any]:
        """The parameters ``transform`` last applied to ``samples`` (its input), in this spec's names.

        Returns an empty dict when the transform chose not to apply (``p < 1``).

        Examples
        --------
        >>> import numpy as np
        >>> from babycry.augment import get
        >>> aug = get("gain")
        >>> t = aug.transform({"gain_db": -6})
        >>> x = np.ones(100, np.float32)
        >>> _ = t(x, sample_rate=16000)
        >>> round(aug.read_params(t, x)["gain_db"], 6)
        -6.0
        """
        if not transform.parameters.get("should_apply"):
            return {}
        return self._read(transform, samples)

    def to_dict(self) -> dict[str, Any]:
        """Name, description and parameters as plain data (for the UI and ``babycry augment --list``).

        Examples
        --------
        >>> from babycry.augment import get
        >>> get("gain").to_dict()["params"][0]["name"]
        'gain_db'
        """
        return {"name": self.name, "description": self.description, "params": [p.to_dict() for p in self.params]}

    # -- for subclasses --------------------------------------------------- #
    def _check_rate(self, bounds: Bounds, sample_rate: int) -> None:
        """Reject settings that make no sense at ``sample_rate`` (default: none)."""

    def _build(self, bounds: Bounds, *, p: float, sample_rate: int, rng: np.random.Generator, **options: Any) -> Any:
        raise NotImplementedError

    def _read(self, transform: Any, samples: np.ndarray) -> dict[str, Any]:
        return {k: v for k, v in transform.parameters.items() if k != "should_apply"}
