"""A picture of an analysis for a coach: loudness and pace over time, as PNG bytes.

Top: the speech-band level of the recording, the speech level the raised-voice
detector follows, the couple's baseline, the raised threshold, and shaded the
stretches where voices were raised. Bottom: the pace of every stretch of speech
against the calm target. matplotlib is optional (`pip install voice-coach[plot]`)
and imported only here, with the file-less Agg backend.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from voice_coach.config import ListenSettings
from voice_coach.errors import VoiceCoachError
from voice_coach.listen.analysis import Analysis

_CALM = "#2e7d32"
_RAISED = "#c62828"
_BRISK = "#ef6c00"
_LEVEL = "#1565c0"


class MissingMatplotlib(VoiceCoachError):
    """matplotlib is not installed; the message says how to get it."""


def render_png(result: Analysis, settings: ListenSettings, title: str = "") -> bytes:
    """The analysis drawn as a PNG image (bytes)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FixedLocator, FuncFormatter
    except ImportError as err:
        raise MissingMatplotlib("drawing needs matplotlib: pip install voice-coach[plot]") from err
    trace = result.trace
    assert trace is not None, "render_png needs an analysis with a trace"
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(12, 6.5), sharex=True, gridspec_kw={"height_ratios": [2.2, 1]}
    )
    clock = FuncFormatter(lambda s, _: _tick_label(s))
    _draw_levels(top, result, settings)
    _draw_pace(bottom, result, settings)
    end = max(result.duration_s, 1.0)
    bottom.xaxis.set_major_locator(FixedLocator(time_ticks(end)))
    bottom.xaxis.set_major_formatter(clock)
    bottom.set_xlabel("time (h:mm:ss)" if end >= 3600 else "time (min:s)")
    bottom.set_xlim(0, end)
    raised = len(result.raised)
    headline = f"{title}  " if title else ""
    headline += f"{_clock(result.duration_s)}, speech {result.speech_ratio:.0%}, " + (
        f"voices raised {raised}x" if raised else "no raised voices"
    )
    fig.suptitle(headline, fontsize=13, x=0.01, ha="left")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110)
    plt.close(fig)
    return out.getvalue()


def _draw_levels(ax: Any, result: Analysis, settings: ListenSettings) -> None:
    from matplotlib.patches import Patch

    trace = result.trace
    assert trace is not None
    t = trace.times_s
    low = result.noise_floor_dbfs - 6.0
    if result.baseline_dbfs is not None:
        # The story is in the speech; the depth of the silences only wastes room.
        low = max(low, result.baseline_dbfs - 35.0)
    ax.fill_between(t, low, np.maximum(trace.band_dbfs, low), color="#cfd8dc", lw=0, label="sound")
    ax.plot(t, trace.speech_level_dbfs, color=_LEVEL, lw=2.0, label="speech level")
    for stretch in result.raised:
        ax.axvspan(stretch.start_s, stretch.end_s, color=_RAISED, alpha=0.15, lw=0)
        ax.annotate(
            f"+{stretch.over_db:.0f} dB",
            ((stretch.start_s + stretch.end_s) / 2, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -14),
            textcoords="offset points",
            ha="center",
            color=_RAISED,
            fontweight="bold",
        )
    top = float(np.nanmax(trace.band_dbfs)) + 6.0 if len(t) else 0.0
    if result.baseline_dbfs is not None and result.threshold_dbfs is not None:
        ax.axhline(result.baseline_dbfs, color=_CALM, ls="--", lw=1.5)
        ax.axhline(result.threshold_dbfs, color=_RAISED, ls="--", lw=1.5)
        ax.text(
            0.005,
            result.baseline_dbfs,
            f" baseline {result.baseline_dbfs:.0f} dBFS",
            transform=ax.get_yaxis_transform(),
            va="bottom",
            color=_CALM,
        )
        ax.text(
            0.005,
            result.threshold_dbfs,
            f" raised: +{settings.raised_voice_db:.0f} dB",
            transform=ax.get_yaxis_transform(),
            va="bottom",
            color=_RAISED,
        )
        top = max(top, result.threshold_dbfs + 8.0)
    ax.set_ylim(low, min(top, 3.0))
    ax.set_ylabel("level (dBFS, speech band)")
    ax.set_title("loudness", loc="left", fontsize=10, color="#455a64")
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(color=_RAISED, alpha=0.15, label="raised voices"))
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, ncol=3)
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_pace(ax: Any, result: Analysis, settings: ListenSettings) -> None:
    from matplotlib.patches import Patch

    target = settings.pace_target
    brisk = target * (1.0 + settings.pace_margin)
    for segment in result.segments:
        rate = segment.syllables_per_s
        color = _CALM if rate <= target else _BRISK if rate <= brisk else _RAISED
        ax.hlines(rate, segment.start_s, segment.end_s, color=color, lw=5)
    ax.axhline(target, color=_CALM, ls="--", lw=1.2)
    ax.axhline(brisk, color=_BRISK, ls=":", lw=1.2)
    ax.legend(
        handles=[
            Patch(color=_CALM, label=f"calm (up to {target:g})"),
            Patch(color=_BRISK, label=f"brisk (up to {brisk:.2f})"),
            Patch(color=_RAISED, label="fast"),
        ],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        ncol=3,
        title=None,
    )
    rates = [s.syllables_per_s for s in result.segments]
    ax.set_ylim(0, max([brisk + 1.5, *rates]) + 0.5)
    ax.set_ylabel("pace (syllables/s)")
    ax.set_title("pace of each stretch of speech", loc="left", fontsize=10, color="#455a64")
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


TICK_STEPS_S = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
"""Seconds between time ticks to choose from: round numbers, whole minutes from 1 on."""


def time_ticks(duration_s: float, most: int = 12) -> list[float]:
    """Tick positions (seconds) for a time axis of `duration_s`: every round step, the
    smallest of `TICK_STEPS_S` that gives at most `most` ticks (whole minutes from
    two minutes on), starting at 0."""
    step = next((s for s in TICK_STEPS_S if duration_s / s <= most), TICK_STEPS_S[-1])
    if duration_s >= 120:
        step = max(step, 60)
    return [float(t) for t in range(0, int(duration_s) + 1, step)]


def _tick_label(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"
