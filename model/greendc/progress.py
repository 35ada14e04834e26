"""Progress of long runs: greendc logs its steps, this module shows them.

The library reports each step (an LP bound, a sub-problem solved, a front point, the
typical-days re-evaluation) as an INFO record of its module's logger under ``greendc``, and
warnings as WARNING records; it never prints. A front end decides how to show them:

- ``show_steps()``: while the block runs, the ``greendc`` records go to stderr, a step as
  ``  .. message`` and a warning as its message; or, with ``bar=True`` on a terminal, as a
  tqdm bar whose postfix is the last step. Off a terminal (a log file, CI) a bar is always
  one line per step, so the log stays readable.
- ``Bar``: a counter of finished items (batch cases) with the same two renderings.

A step of a counted phase (the LP bounds and MILP solves of ``greendc.study``'s
decomposition, the points of a Pareto front) carries ``extra=step_of(phase, i, n)``: on a
terminal each phase gets its own tqdm bar (``phase i/n``, elapsed and remaining time, the
step as postfix); elsewhere one line per step, ``  .. message  [phase i/n, 12.3 s]`` with the
seconds since the command started, never a ``\r``.

Python users see the steps with ``logging.basicConfig(level=logging.INFO)``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

import typer

LOGGER = "greendc"


def _on_terminal() -> bool:
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


class Bar:
    """``total`` items: a tqdm bar on a terminal, else one line per ``advance`` on stderr."""

    def __init__(self, total: int | None, desc: str, unit: str = "step", enabled: bool = True,
                 bar: bool = True):
        self.desc, self.total, self.done, self.enabled = desc, total, 0, enabled
        self._tqdm = None
        if enabled and bar is not False and _on_terminal():
            from tqdm import tqdm

            self._tqdm = tqdm(total=total, desc=desc, unit=unit)

    def advance(self, note: str = "", n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.set_postfix_str(note[-50:], refresh=False)
            self._tqdm.update(n)
        else:
            count = f"{self.done}/{self.total}" if self.total else f"{self.done}"
            typer.echo(f"  .. {self.desc} {count}: {note}" if self.desc else f"  .. {note}",
                       err=True)

    def write(self, text: str) -> None:
        """A line that does not garble the bar."""
        if self._tqdm is not None:
            self._tqdm.write(text, file=sys.stderr)
        else:
            typer.echo(text, err=True)

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()


def step_of(phase: str, step: int, total: int | None) -> dict[str, Any]:
    """``extra`` of a log record that is step ``step`` (1-based) of ``total`` in ``phase``
    (``total`` None: not known in advance; an upper bound is better than none)."""
    return {"phase": phase, "step": step, "total": total}


class _StepHandler(logging.Handler):
    """INFO records of ``greendc`` advance the bar (a phase's own bar for counted steps);
    warnings are written as lines."""

    def __init__(self, bar: Bar | None):
        super().__init__(logging.INFO)
        self.bar = bar
        self.start = time.perf_counter()
        self.phase: tuple[str, Any] | None = None
        self.phase_bar: Bar | None = None

    def _write(self, text: str) -> None:
        live = self.phase_bar if self.phase_bar is not None and self.phase_bar._tqdm else self.bar
        (live.write if live else lambda t: typer.echo(t, err=True))(text)

    def _phase_step(self, record: logging.LogRecord, message: str) -> None:
        phase, step, total = record.phase, int(record.step), record.total
        if _on_terminal():
            if (self.phase != (phase, total) or self.phase_bar is None
                    or step <= self.phase_bar.done):  # the same phase again (a front's 2nd end)
                self.close()
                self.phase_bar = Bar(total, phase, unit="step")
                self.phase = (phase, total)
            self.phase_bar.advance(message, n=max(step - self.phase_bar.done, 0))
            return
        count = f"{step}/{total}" if total else f"{step}"
        typer.echo(f"  .. {message}  [{phase} {count}, "
                   f"{time.perf_counter() - self.start:.1f} s]", err=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.levelno > logging.INFO:
                self._write(message)
            elif getattr(record, "phase", None) and self.bar is None:
                self._phase_step(record, message)
            elif self.bar is not None:
                self.bar.advance(message)
            else:
                self._write(f"  .. {message}")
        except Exception:  # noqa: BLE001 - logging must never break a solve
            self.handleError(record)

    def close(self) -> None:
        if self.phase_bar is not None:
            self.phase_bar.close()
            self.phase_bar = None
        super().close()


@contextlib.contextmanager
def show_steps(enabled: bool = True, bar: bool = False, desc: str = "",
               unit: str = "step") -> Iterator[Bar | None]:
    """Show greendc's steps (INFO) and warnings on stderr while the block runs.

    ``enabled=False`` shows warnings only (``--quiet``); ``bar=True`` draws a tqdm bar on a
    terminal (one line per step elsewhere)."""
    logger = logging.getLogger(LOGGER)
    progress = Bar(None, desc, unit, bar=True) if enabled and bar else None
    handler = _StepHandler(progress)
    handler.setLevel(logging.INFO if enabled else logging.WARNING)
    saved = logger.level
    logger.addHandler(handler)
    if enabled and (logger.level == logging.NOTSET or logger.level > logging.INFO):
        logger.setLevel(logging.INFO)
    try:
        yield progress
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(saved)
        if progress is not None:
            progress.close()


__all__ = ["Bar", "show_steps", "step_of"]
