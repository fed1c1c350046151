"""Numbers and labels as a person says them: "99%", "about 7 seconds", "9 in 10", "belly pain"."""

from __future__ import annotations

__all__ = ["reason_display_name", "say_percent", "say_chance", "say_seconds", "say_length", "say_share", "join_words"]


def reason_display_name(reason: str) -> str:
    """``"belly_pain"`` -> ``"belly pain"``: label ids as a parent reads them.

    Examples
    --------
    >>> reason_display_name("belly_pain")
    'belly pain'
    """
    return reason.replace("_", " ")


def say_percent(p: float) -> str:
    """A probability as a whole percentage, never "0%" or "100%" for what is only nearly so.

    Examples
    --------
    >>> say_percent(0.9924), say_percent(0.11), say_percent(0.998), say_percent(0.001)
    ('99%', '11%', 'more than 99%', 'less than 1%')
    """
    p = float(p)
    if p >= 0.995 and p < 1.0:
        return "more than 99%"
    if 0.0 < p < 0.005:
        return "less than 1%"
    return f"{100.0 * p:.0f}%"


def say_chance(p: float) -> str:
    """A model's probability as a percentage: never "0%" or "100%", for a model is never certain.

    The ``/classify`` JSON rounds probabilities to four digits, so a clear cough arrives as ``0.0``; said as
    "0%" it would claim a certainty no model has.

    Examples
    --------
    >>> say_chance(0.0), say_chance(0.004), say_chance(0.41), say_chance(1.0)
    ('less than 1%', 'less than 1%', '41%', 'more than 99%')
    """
    return say_percent(min(max(float(p), 1e-9), 1.0 - 1e-9))


def say_seconds(seconds: float) -> str:
    """A duration as a person says it.

    Examples
    --------
    >>> say_seconds(0.4), say_seconds(1.2), say_seconds(6.86), say_seconds(60.0), say_seconds(83.0)
    ('under a second', 'about 1 second', 'about 7 seconds', 'about 1 minute', 'about 1 minute 23 seconds')
    """
    s = int(round(float(seconds)))
    if float(seconds) < 0.95:
        return "under a second"
    if s < 60:
        return f"about {s} second{'s' if s != 1 else ''}"
    minutes, rest = divmod(s, 60)
    text = f"about {minutes} minute{'s' if minutes != 1 else ''}"
    return text + (f" {rest} second{'s' if rest != 1 else ''}" if rest else "")


def say_length(seconds: float) -> str:
    """A duration as an adjective: "a 12-second recording", "the first minute", "a 1-minute 20-second clip".

    Examples
    --------
    >>> say_length(12.2), say_length(60), say_length(80), say_length(120)
    ('12-second', '1-minute', '1-minute 20-second', '2-minute')
    """
    s = max(1, int(round(float(seconds))))
    minutes, rest = divmod(s, 60)
    if not minutes:
        return f"{rest}-second"
    return f"{minutes}-minute" + (f" {rest}-second" if rest else "")


def say_share(x: float) -> str:
    """A share (0-1) in words: "almost all", "9 in 10", "about half", "1 in 5", "almost none".

    Examples
    --------
    >>> [say_share(v) for v in (0.99, 0.954, 0.918, 0.519, 0.249, 0.05, 0.01)]
    ['almost all', '19 in 20', '9 in 10', 'about half', '1 in 4', '1 in 20', 'almost none']
    """
    x = float(x)
    if x >= 0.97:
        return "almost all"
    if x <= 0.02:
        return "almost none"
    if 0.45 <= x <= 0.55:
        return "about half"
    if x < 0.3:
        return f"1 in {int(round(1.0 / x))}"
    if round(10 * x) >= 10:  # 0.95-0.97 would read "10 in 10": a claim of every one
        return f"{min(19, int(round(20 * x)))} in 20"
    return f"{int(round(10 * x))} in 10"


def join_words(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``.

    Examples
    --------
    >>> join_words(["laughter"]), join_words(["laughter", "noise", "birds"])
    ('laughter', 'laughter, noise and birds')
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
