"""Shared helpers of the benchmarks: scenario dicts, timers, the result record."""

from __future__ import annotations

import copy
import pathlib
import platform
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "studies" / "reference_sites.yaml"
ONE_SITE = "fr-essonne"
ONE_COOLING = "direct_liquid"


def reference_raw(**changes: Any) -> dict[str, Any]:
    """The reference study as a dict, with top-level keys replaced."""
    raw = yaml.safe_load(REFERENCE.read_text())
    raw = copy.deepcopy(raw)
    raw.update(changes)
    return raw


def one_site_raw(hours: int = 8760, cooling: list[str] | None = None, **changes) -> dict:
    """1 site (fr-essonne), one cooling by default, ``hours`` from hour 0."""
    raw = reference_raw(sites=[ONE_SITE], cooling=cooling or [ONE_COOLING], **changes)
    if hours != 8760:
        raw["horizon"] = {"start_hour": 0, "hours": hours}
    return raw


@contextmanager
def timer(out: dict, key: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        out[key] = time.perf_counter() - start


@dataclass
class Figure:
    """One benchmark figure: value, unit, the goal as text, whether it is met, and details."""

    name: str
    value: float
    unit: str
    goal: str
    met: bool
    details: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        mark = "met" if self.met else "NOT met"
        return f"{self.name:<28} {self.value:>12.4g} {self.unit:<12} goal {self.goal:<22} {mark}"

    def record(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "goal": self.goal, "met": bool(self.met),
                "details": self.details}


def machine() -> str:
    import os
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
