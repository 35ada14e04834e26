"""One pint unit registry for greendc: parse unit strings, convert to the model's units.

Every ``{value, unit}`` of the catalogue and every ``units`` attribute of a site series goes
through here, so a value given in MW where the model works in kW is converted (0.0143 MW ->
14.3 kW) and a unit of the wrong kind (kg where kW is expected) is refused.

Project units on top of pint's SI/common set:

- ``EUR`` (own dimension ``[currency]``; ``kEUR``, ``MEUR`` by prefix),
- ``gCO2e`` (own dimension ``[co2e]``), ``tCO2e = 1e6 gCO2e``; ``gCO2``/``tCO2`` are the same
  (the catalogue's CO2 figures are CO2-equivalent); ``kgCO2e`` by prefix,
- ``FLOP`` (``[compute]``; ``PFLOP/s`` = 1e15 FLOP per second),
- ``rack`` and ``node`` (counts of their own, so ``kW/rack`` is not ``kW``),
- ``W_th``, ``Wh_th``, ``W_IT``, ``W_e``, ``Wh_e``: watts qualified as thermal, IT or electric
  power; they convert like W (``MW_th``, ``kW_IT``, ``MWh_th``, ``kWh_e`` by prefix).

Spelling conveniences: ``m2``/``m3`` mean m^2/m^3 (also ``km2``, ``cm3``, ``ft2``, ``yd2``,
``mi2``, ``ft3``); a trailing note in parentheses is
ignored (``"1 (of IT power)"``, ``"PFLOP/s (BF16 dense)"``).
"""

from __future__ import annotations

import functools
import re

import pint

_DEFINITIONS = (
    "EUR = [currency]",
    "gCO2e = [co2e]",
    "tCO2e = 1e6 * gCO2e",
    "gCO2 = gCO2e",
    "tCO2 = tCO2e",
    "FLOP = [compute]",
    "rack = [rack] = racks",
    "node = [node] = nodes",
    "W_th = W",
    "Wh_th = W * hour",
    "W_IT = W",
    "W_e = W",
    "Wh_e = W * hour",
)
_NOTE = re.compile(r"\s+\([^()]*\)\s*$")
_POWER = re.compile(r"(?<![A-Za-z0-9_])([kcdm]?m|ft|yd|mi)([23])(?![A-Za-z0-9_])")


@functools.cache
def registry() -> pint.UnitRegistry:
    """The project's unit registry (built once)."""
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS:
        reg.define(line)
    return reg


def _clean(text: str) -> str:
    text = _NOTE.sub("", str(text).strip())
    return _POWER.sub(r"\1**\2", text) or "1"


@functools.cache
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string; ``ValueError`` naming it when pint does not know it."""
    try:
        return registry().Unit(_clean(text))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError,
            AttributeError, TypeError, AssertionError) as exc:
        raise ValueError(f"unit {text!r} is not a known unit ({exc})") from None


def same_unit(given: str, expected: str) -> bool:
    """True when ``given`` is exactly the ``expected`` unit (factor 1, no offset)."""
    try:
        return convert(0.0, given, expected) == 0.0 and convert(1.0, given, expected) == 1.0
    except ValueError:
        return False


def conversion_factor(given: str, expected: str) -> float:
    """Factor f with value[expected] = f * value[given] for non-offset units."""
    return convert(1.0, given, expected) - convert(0.0, given, expected)


def convert(value, given: str, expected: str, *, difference: bool = False):
    """``value`` [given] expressed in ``expected``; ``ValueError`` when incompatible.

    ``difference=True`` treats temperatures as differences (1 degC of difference = 1 K)."""
    src, dst = parse_unit(given), parse_unit(expected)
    reg = registry()
    if src.dimensionality != dst.dimensionality:
        raise ValueError(f"unit {given!r} is not compatible with the expected unit {expected!r} "
                         f"({src.dimensionality} vs {dst.dimensionality})")
    if difference:
        src, dst = _as_delta(src), _as_delta(dst)
    try:
        out = reg.Quantity(value, src).to(dst).magnitude
    except pint.errors.OffsetUnitCalculusError as exc:
        raise ValueError(f"cannot convert {given!r} to {expected!r} ({exc})") from None
    return float(out) if isinstance(value, int | float) else out


def _as_delta(unit: pint.Unit) -> pint.Unit:
    name = str(unit)
    return registry().Unit(f"delta_{name}") if name in ("degree_Celsius", "degree_Fahrenheit") \
        else unit


__all__ = ["registry", "parse_unit", "convert", "conversion_factor", "same_unit"]
