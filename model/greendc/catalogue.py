"""Technology catalogues: load, apply scenario overrides, validate.

Catalogues live in ``data/catalogue/*.yaml``. Every numeric value is a quantity
``{value: <number>, unit: "<unit>", source: <key>}`` whose ``source`` key is resolved in
``data/SOURCES.md``. Loading keeps the units and sources (for provenance) and checks every
value's range, naming the file, the field, the value and the expected range on failure.

Files and what they hold:

- ``servers.yaml``: node types (power at load and idle [kW], performance [PFLOP/s BF16 dense],
  price [EUR], embodied [kgCO2e], lifetime [yr], vendor origin).
- ``cooling.yaml``: cooling technologies (PUE model and parameters, capex [EUR/kW_IT],
  rack density [kW/rack], floor [m2/rack], heat temperature [degC], recoverable share).
- ``storage.yaml``: battery (capex per MWh and per MW, efficiencies, lifetimes, embodied).
- ``supply.yaml``: solar/wind supply (kind ppa/owned, strike price per country [EUR/MWh],
  capacity cost (capex [EUR/kW] or annualised [EUR/MW/yr]), life-cycle factor [gCO2e/kWh]).
- ``heat.yaml``: heat pump (Carnot efficiency, capex [EUR/MW_th], direct-exchange pumping
  share) and district-heating defaults, with the networks' carbon content per country
  [gCO2e/kWh_th].
- ``backup.yaml``: backup generation for supply continuity (gensets: unit size [MW], capex
  [EUR/kW], fixed O&M [EUR/kW/yr], fuel cost [EUR/MWh_e], life-cycle emission factor
  [gCO2e/kWh_e], test running hours [h/yr] and load, fuel storage [EUR/MWh_e]; the site
  battery as UPS), read only when a scenario sets ``continuity`` (``formulation.continuity``).
- ``sites.yaml``: planning facts per site (grid connection [MW], floor [m2], water [m3/yr], ...).

A scenario's own catalogue files (``catalogue: [my_catalogue.yaml]``) are layered over these
in order by ``layer_catalogues`` (new entries complete, known entries changed field by field,
a missing source recorded as ``user: <file>``), then the scenario's ``overrides`` apply.
Each technology with a cost quotes it in one ``CostForm`` per cost: capex + lifetime + fixed
O&M share, annuitised at the entry's own ``discount_rate`` or the scenario's, or an
annualised cost given directly (``_Costed.annual_cost`` gives the model's EUR/yr figure).
"""

from __future__ import annotations

import copy
import difflib
import math
import pathlib
import re
import types
import typing
import warnings
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator,
    model_validator,
)

from greendc.errors import DataError, PlausibilityWarning, ScenarioError
from greendc.physics.cooling import REQUIRED as COOLING_MODELS
from greendc.physics.finance import annualised_cost_eur_per_yr
from greendc.resources import DATA_DIR
from greendc.units import convert, parse_unit
from greendc.yamlio import load_yaml

# EU member states (ISO 3166 alpha-2), for vendor origin and site jurisdiction rules.
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
CATALOGUE_FILES = ("servers", "cooling", "storage", "supply", "heat", "backup", "sites")
OVERRIDE_SOURCE = "scenario override"


class Quantity(BaseModel):
    """A catalogue number with its unit and source key (``value`` a number, never a bool)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class Plausible:
    """Plausible range of a field in its model unit: outside it a ``PlausibilityWarning``
    names the field (the planner's value is kept); more than ``REFUSE_FACTOR`` beyond it the
    value is refused (such numbers only come from a unit slip and wreck the solver's numerics).
    ``hint`` names the likely slip ("meant kW?")."""

    low: float
    high: float
    hint: str = ""


REFUSE_FACTOR = 1e6


def _unit(expected: str, *, difference: bool = False):
    """Convert a quantity to the model's unit ``expected`` (pint, ``greendc.units``);
    an incompatible or unknown unit is an error naming the value, its unit and ``expected``.
    ``difference``: a temperature difference (1 degC of difference = 1 K)."""
    def to_model_unit(q: Quantity) -> Quantity:
        _check_per_year(q, expected)
        if q.unit == expected:
            return q
        try:
            value = convert(q.value, q.unit, expected, difference=difference)
        except ValueError as exc:
            raise ValueError(f"value {q.value} [{q.unit}]: {exc}; expected a value in "
                             f"{expected}") from None
        return Quantity(value=value, unit=expected, source=q.source)

    to_model_unit.expected_unit = expected  # read by ``expected_unit`` (messages, plain facts)
    return AfterValidator(to_model_unit)


_PER_YEAR = re.compile(r"/.*\b(yr|year|years|a|annum)\b|\b(yr|year)\s*(\*\*|\^)\s*-1")


def _check_per_year(q: Quantity, expected: str) -> None:
    """EUR/MWh and EUR/MW/yr have the same dimension (1 yr = 8766 h), so pint alone would turn
    a PPA price per MWh into a capacity price. A unit per year is accepted only where the model
    unit is per year, and the other way round."""
    unit = re.sub(r"\([^()]*\)", "", q.unit)  # a note in parentheses is no unit
    given, wanted = bool(_PER_YEAR.search(unit)), bool(_PER_YEAR.search(expected))
    if given != wanted and "EUR" in expected:
        kind = ("an annualised cost per year" if wanted else "a price without a per-year part")
        raise ValueError(f"value {q.value} [{q.unit}]: expected {kind}, in {expected}")


def _in_range(lo: float | None, hi: float | None, *, lo_open: bool = False, hint: str = ""):
    def check(q: Quantity) -> Quantity:
        v = q.value
        bad = (v != v) or v in (float("inf"), float("-inf"))
        if lo is not None:
            bad |= v <= lo if lo_open else v < lo
        if hi is not None:
            bad |= v > hi
        if bad:
            left = "(" if lo_open else "["
            rng = f"{left}{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
            raise ValueError(f"value {v} [{q.unit}] outside the expected range {rng}{hint}")
        return q

    return AfterValidator(check)


def NonNegative(unit: str, *plausible: Any, difference: bool = False) -> Any:  # noqa: N802
    """A quantity >= 0 in ``unit`` (optionally with a ``Plausible`` range)."""
    return Annotated[(Quantity, _unit(unit, difference=difference), _in_range(0, None),
                      *plausible)]


def Positive(unit: str, *plausible: Any) -> Any:  # noqa: N802
    """A quantity > 0 in ``unit`` (optionally with a ``Plausible`` range)."""
    return Annotated[(Quantity, _unit(unit), _in_range(0, None, lo_open=True), *plausible)]


def Share(unit: str = "1") -> Any:  # noqa: N802
    return Annotated[Quantity, _unit(unit), _in_range(
        0, 1, hint="; shares are fractions: did you give a percentage?")]


Efficiency = Annotated[Quantity, _unit("1"),
                       _in_range(0, 1, lo_open=True, hint="; efficiencies are in (0, 1]")]
Lifetime = Annotated[Quantity, _unit("yr"),
                     _in_range(0, 100, lo_open=True, hint="; lifetimes are years > 0")]
Celsius = Annotated[
    Quantity, _unit("degC"), _in_range(-60, 200, hint="; temperatures are degC (Kelvin given?)")
]


CalendarYear = Annotated[Quantity, _unit("yr"), _in_range(
    1990, 2100, hint="; a calendar year such as 2028")]
DiscountRate = Annotated[Quantity, _unit("1/yr"), _in_range(
    0, 0.5, hint="; a discount rate is a fraction per year below 0.5 (a percentage given?)")]


@dataclass(frozen=True)
class CostForm:
    """How a technology's cost may be quoted: up-front ``capex`` [EUR per unit] annuitised
    over ``lifetime`` at the discount rate, plus ``fixed_opex`` [share of capex per yr]; or
    ``annualised`` [EUR per unit per yr] given directly. ``scale``: model unit of the
    annualised cost per capex unit (EUR/kW -> EUR/MW: 1000). ``capex_only``: fields that
    belong to the capex form alone (dropped when a later catalogue layer quotes the entry in
    the annualised form; a lifetime that also spreads embodied emissions is not among them).
    ``opex_required``: the fixed O&M share must be given with the capex (else it is 0)."""

    capex: str
    lifetime: str
    fixed_opex: str
    annualised: str
    scale: float = 1.0
    capex_only: tuple[str, ...] = ()
    opex_required: bool = True

    def fields(self) -> tuple[str, ...]:
        return (self.capex, *self.capex_only)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str


class _Costed(_Entry):
    """An entry with one or more ``COST_FORMS``; ``discount_rate`` (optional, [1/yr]) is the
    technology's own rate (WACC) for its capex forms, instead of ``finance.discount_rate``."""

    COST_FORMS: typing.ClassVar[tuple[CostForm, ...]] = ()
    discount_rate: DiscountRate | None = Field(
        None, description="own discount rate (WACC) [1/yr] of this technology's capex; "
        "default: the scenario's finance.discount_rate")

    @model_validator(mode="after")
    def _one_cost_form(self):
        """Each cost quoted in exactly one form; problems as ``field: message`` lines (the
        field joins the dotted location in ``format_validation_error``)."""
        bad, capex_forms = [], 0
        for form in self.COST_FORMS:
            has_capex = getattr(self, form.capex) is not None
            has_annual = getattr(self, form.annualised) is not None
            needs = [form.lifetime] + ([form.fixed_opex] if form.opex_required else [])
            if has_capex and has_annual:
                bad.append(f"{form.annualised}: {form.capex} and {form.annualised} both given: "
                           f"quote the cost either as capex (+ {', '.join(needs)}) or "
                           "annualised, not both")
            elif not has_capex and not has_annual:
                unit = expected_unit(type(self), (form.capex,))
                bad.append(f"{form.capex}: required field is missing; give {{value: <number>, "
                           f"unit: '{unit}'}} (+ {', '.join(needs)}), or quote the cost as "
                           f"{form.annualised} [{expected_unit(type(self), (form.annualised,))}]")
            elif has_capex:
                capex_forms += 1
                bad += [f"{f}: required field is missing (with {form.capex}; or quote "
                        f"{form.annualised} instead)" for f in needs if getattr(self, f) is None]
            else:
                bad += [f"{f}: belongs to the capex form, but {form.annualised} is given; "
                        "remove it" for f in form.capex_only if getattr(self, f) is not None]
        if self.discount_rate is not None and not capex_forms and not bad:
            bad.append("discount_rate: given but every cost is annualised: a discount rate "
                       "only annuitises capex; remove it")
        if bad:
            raise ValueError("\n".join(bad))
        return self

    def annual_cost(self, form_capex: str, scenario_rate: float) -> float:
        """Annual cost [EUR per model unit per yr] of the cost form whose capex field is
        ``form_capex``: the annualised figure as given, or capex x (CRF(r, n) + fixed O&M)
        at the entry's own ``discount_rate`` else ``scenario_rate`` (``physics.finance``)."""
        form = next(f for f in self.COST_FORMS if f.capex == form_capex)
        annual = getattr(self, form.annualised)
        if annual is not None:
            return annual.value
        rate = self.discount_rate.value if self.discount_rate is not None else scenario_rate
        opex = getattr(self, form.fixed_opex)
        opex = opex.value if opex is not None else 0.0
        return annualised_cost_eur_per_yr(getattr(self, form.capex).value * form.scale, rate,
                                          getattr(self, form.lifetime).value, opex)


def Annualised(unit: str, *plausible: Any) -> Any:  # noqa: N802
    """An optional annualised cost >= 0 in ``unit`` (a per-year unit)."""
    return Annotated[(Quantity, _unit(unit), _in_range(0, None), *plausible)] | None


class ServerSpec(_Costed):
    """One node type. Power and performance are per node. Cost: ``price_eur`` per node
    annuitised over ``lifetime_yr`` (+ optional ``fixed_opex_share_per_yr``), or
    ``annualised_cost_eur_per_yr`` per node given directly; ``lifetime_yr`` also spreads the
    embodied emissions and is always required."""

    COST_FORMS = (CostForm("price_eur", "lifetime_yr", "fixed_opex_share_per_yr",
                           "annualised_cost_eur_per_yr", capex_only=("fixed_opex_share_per_yr",),
                           opex_required=False),)

    vendor: str
    origin: str = Field(description="ISO country of the vendor's headquarters")
    accelerators_per_node: int = Field(ge=0)
    power_kw: Positive("kW", Plausible(0.05, 500, "a node or rack draws 0.05-500 kW: meant MW "
                                      "or W?"))
    idle_power_kw: NonNegative("kW", Plausible(0, 500, "meant W?"))
    performance_pflops: Positive("PFLOP/s", Plausible(1e-4, 1000, "meant TFLOP/s?"))
    price_eur: Positive("EUR", Plausible(1000, 1e8, "meant kEUR?")) | None = None
    annualised_cost_eur_per_yr: Annualised("EUR/yr", Plausible(100, 5e7, "meant kEUR/yr?")) = \
        Field(None, description="annualised cost per node [EUR/yr], instead of price_eur")
    fixed_opex_share_per_yr: Share("1/yr") | None = None
    embodied_kg_co2: NonNegative("kgCO2e", Plausible(0, 1e6, "meant gCO2e?"))
    lifetime_yr: Lifetime
    max_nodes_per_rack: Positive("nodes/rack", Plausible(1, 200))
    compatible_cooling: list[str] | None = None


_PARAMETER_UNITS = (("_k", "K"), ("_pa", "Pa"), ("_c", "degC"), ("_efficiency", "1"),
                    ("_effectiveness", "1"), ("_share", "1"), ("_load", "1"),
                    ("_kwh_per_kg", "kWh/kg"), ("_l_per_kwh", "L/kWh"), ("pue", "1"))


class CoolingSpec(_Costed):
    """A cooling technology: ``pue_model`` (a physics model of ``physics.cooling`` with its
    ``parameters``, or ``constant`` with given ``pue`` and ``wue_l_per_kwh``). Cost:
    ``capex_eur_per_kw_it`` + ``lifetime_yr`` + ``fixed_opex_share_per_yr``, or
    ``annualised_cost_eur_per_mw_it_yr``."""

    COST_FORMS = (CostForm("capex_eur_per_kw_it", "lifetime_yr", "fixed_opex_share_per_yr",
                           "annualised_cost_eur_per_mw_it_yr", scale=1000.0,
                           capex_only=("lifetime_yr", "fixed_opex_share_per_yr")),)
    pue_model: str
    capex_eur_per_kw_it: NonNegative("EUR/kW_IT", Plausible(0, 50_000, "meant EUR/MW_IT?")) \
        | None = None
    fixed_opex_share_per_yr: Share("1/yr") | None = None
    lifetime_yr: Lifetime | None = None
    annualised_cost_eur_per_mw_it_yr: Annualised("EUR/MW_IT/yr", Plausible(
        0, 5e6, "meant EUR/kW_IT/yr?")) = Field(
        None, description="annualised cooling cost [EUR/MW_IT/yr], instead of capex")
    max_rack_density_kw_per_rack: Positive("kW/rack", Plausible(1, 1000, "meant W/rack?"))
    floor_m2_per_rack: Positive("m2/rack", Plausible(0.5, 50))
    heat_output_temperature_c: Celsius
    recoverable_heat_share: Share()
    parameters: dict[str, Quantity]

    @model_validator(mode="after")
    def _known_model(self):
        """The PUE model exists and has its parameters (named with the entry, at load)."""
        if self.pue_model not in COOLING_MODELS:
            raise ValueError(f"pue_model = {self.pue_model!r}: unknown; "
                             f"{did_you_mean(self.pue_model, COOLING_MODELS)}expected one of "
                             f"{sorted(COOLING_MODELS)}")
        missing = [k for k in COOLING_MODELS[self.pue_model] if k not in self.parameters]
        if missing:
            raise ValueError(f"pue_model {self.pue_model!r}: parameters {missing} missing "
                             "(each {value, unit}; see data/catalogue/cooling.yaml)")
        return self

    @field_validator("parameters")
    @classmethod
    def _parameter_ranges(cls, params: dict[str, Quantity]) -> dict[str, Quantity]:
        """Units and range checks by naming convention, so a bad parameter is reported with the
        catalogue path (a negative loss share would otherwise surface as PUE < 1 later).
        Units by suffix: ``_k`` K (a difference), ``_pa`` Pa, ``_c`` degC, ``_efficiency``,
        ``_effectiveness``, ``_share``, ``_load`` 1, ``_l_per_kwh`` L/kWh, ``pue`` 1 (in
        [1, 5]); any other unit must at least parse."""
        bad = []
        converted = {}
        for key, q in params.items():
            expected = next((u for suffix, u in _PARAMETER_UNITS if key.endswith(suffix)), None)
            try:
                if expected is None:
                    parse_unit(q.unit)
                elif q.unit != expected:
                    q = Quantity(value=convert(q.value, q.unit, expected,
                                               difference=expected == "K"),
                                 unit=expected, source=q.source)
            except ValueError as exc:
                bad.append(f"{key} = {q.value} [{q.unit}]: {exc}; expected "
                           f"{expected or 'a known unit'}")
                continue
            converted[key] = q
            v = q.value
            if not math.isfinite(v):
                bad.append(f"{key} = {v} [{q.unit}]: expected a finite number")
            elif key.endswith(("_efficiency", "_effectiveness")) and not 0 < v <= 1:
                bad.append(f"{key} = {v} [{q.unit}]: efficiencies are in (0, 1]")
            elif key.endswith("_share") and not 0 <= v <= 1:
                bad.append(f"{key} = {v} [{q.unit}]: shares are fractions in [0, 1] "
                           "(did you give a percentage?)")
            elif key == "pue" and not 1 <= v <= 5:
                bad.append(f"{key} = {v} [{q.unit}]: a PUE is facility / IT power, in [1, 5]")
            elif key.endswith("_l_per_kwh") and v < 0:
                bad.append(f"{key} = {v} [{q.unit}]: water use is >= 0 L/kWh")
            elif key.endswith("_c") and not -60 <= v <= 200:
                bad.append(f"{key} = {v} [{q.unit}]: expected degC in [-60, 200] "
                           "(Kelvin given?)")
        if bad:
            raise ValueError("; ".join(bad))
        return converted


class BatterySpec(_Costed):
    """A battery, energy [MWh] and power [MW] sized separately. Each part's cost: capex +
    lifetime + ``fixed_opex_share_per_yr``, or annualised per MWh·yr / MW·yr.
    ``energy_lifetime_yr`` also spreads the embodied emissions and is always required."""

    COST_FORMS = (
        CostForm("energy_capex_eur_per_mwh", "energy_lifetime_yr", "fixed_opex_share_per_yr",
                 "energy_annualised_cost_eur_per_mwh_yr"),
        CostForm("power_capex_eur_per_mw", "power_lifetime_yr", "fixed_opex_share_per_yr",
                 "power_annualised_cost_eur_per_mw_yr", capex_only=("power_lifetime_yr",)),
    )
    energy_capex_eur_per_mwh: NonNegative("EUR/MWh", Plausible(1e3, 5e6, "meant EUR/kWh?")) \
        | None = None
    power_capex_eur_per_mw: NonNegative("EUR/MW", Plausible(0, 5e6, "meant EUR/kW?")) | None \
        = None
    energy_annualised_cost_eur_per_mwh_yr: Annualised("EUR/MWh/yr", Plausible(
        0, 1e6, "meant EUR/kWh/yr?")) = None
    power_annualised_cost_eur_per_mw_yr: Annualised("EUR/MW/yr", Plausible(
        0, 1e6, "meant EUR/kW/yr?")) = None
    energy_lifetime_yr: Lifetime
    power_lifetime_yr: Lifetime | None = None
    fixed_opex_share_per_yr: Share("1/yr") | None = None
    charge_efficiency: Efficiency
    discharge_efficiency: Efficiency
    embodied_kg_co2_per_kwh: NonNegative("kgCO2e/kWh", Plausible(0, 1000, "meant gCO2e/kWh?"))


class SupplySpec(_Costed):
    """A solar/wind supply: ``kind`` ``ppa`` (off-site contract: its energy crosses the grid
    connection and pays network charges; life cycle counted as operational) or ``owned``
    (behind-the-meter plant; life cycle counted as embodied). Energy price
    ``strike_eur_per_mwh`` per country (``default`` for others; none: 0) and a capacity
    cost: capex + lifetime + fixed O&M, or ``annualised_cost_eur_per_mw_yr`` (an owned
    plant's annuity, or a capacity-priced PPA per MW·yr)."""

    COST_FORMS = (CostForm("capex_eur_per_kw", "lifetime_yr", "fixed_opex_share_per_yr",
                           "annualised_cost_eur_per_mw_yr", scale=1000.0,
                           capex_only=("lifetime_yr", "fixed_opex_share_per_yr")),)
    kind: Literal["ppa", "owned"] = Field(description="ppa: off-site contract; owned: plant "
                                          "behind the meter")
    capacity_factor_variable: str
    strike_eur_per_mwh: dict[str, NonNegative("EUR/MWh", Plausible(
        0, 1000, "meant EUR/kWh?"))] = {}
    capex_eur_per_kw: NonNegative("EUR/kW", Plausible(0, 20_000, "meant EUR/MW?")) | None = None
    fixed_opex_share_per_yr: Share("1/yr") | None = None
    lifetime_yr: Lifetime | None = None
    annualised_cost_eur_per_mw_yr: Annualised("EUR/MW/yr", Plausible(
        0, 2e6, "meant EUR/kW/yr?")) = Field(
        None, description="capacity cost [EUR/MW/yr]: owned plant annuity or PPA capacity "
        "price, instead of capex")
    lifecycle_g_co2_per_kwh: NonNegative("gCO2e/kWh", Plausible(0, 1000, "meant kgCO2e/kWh?"))

    def strike_for(self, country: str) -> float:
        """Energy price [EUR/MWh] in ``country``: its own entry, else ``default``, else 0."""
        q = self.strike_eur_per_mwh.get(country) or self.strike_eur_per_mwh.get("default")
        return q.value if q is not None else 0.0


class HeatPumpSpec(_Costed):
    """The heat pump lifting recovered heat to the network. Cost: ``capex_eur_per_mw_th`` +
    ``lifetime_yr`` + ``fixed_opex_share_per_yr``, or ``annualised_cost_eur_per_mw_th_yr``."""

    COST_FORMS = (CostForm("capex_eur_per_mw_th", "lifetime_yr", "fixed_opex_share_per_yr",
                           "annualised_cost_eur_per_mw_th_yr",
                           capex_only=("lifetime_yr", "fixed_opex_share_per_yr")),)
    name: str = "heat pump"
    carnot_efficiency: Efficiency
    approach_k: NonNegative("K", Plausible(0, 50), difference=True)
    cop_max: Positive("1", Plausible(1, 20))
    # auxiliary (pumping) electricity of a direct exchange per unit of heat [kW/kW_th], (0, 1]
    direct_exchange_aux_share: Annotated[Quantity, _unit("1"), _in_range(0, 1, lo_open=True)]
    capex_eur_per_mw_th: NonNegative("EUR/MW_th", Plausible(1e4, 1e8, "meant EUR/kW_th?")) \
        | None = None
    fixed_opex_share_per_yr: Share("1/yr") | None = None
    lifetime_yr: Lifetime | None = None
    annualised_cost_eur_per_mw_th_yr: Annualised("EUR/MW_th/yr", Plausible(
        0, 1e7, "meant EUR/kW_th/yr?")) = None


class DistrictHeatingSpec(_Costed):
    """District-heating defaults. Connection cost: ``connection_capex_eur`` +
    ``connection_lifetime_yr`` (+ optional ``connection_fixed_opex_share_per_yr``), or
    ``connection_annualised_cost_eur_per_yr``."""

    COST_FORMS = (CostForm("connection_capex_eur", "connection_lifetime_yr",
                           "connection_fixed_opex_share_per_yr",
                           "connection_annualised_cost_eur_per_yr",
                           capex_only=("connection_lifetime_yr",
                                       "connection_fixed_opex_share_per_yr"),
                           opex_required=False),)
    name: str = "district heating"
    connection_capex_eur: NonNegative("EUR", Plausible(0, 1e9, "meant kEUR?")) | None = None
    connection_lifetime_yr: Lifetime | None = None
    connection_fixed_opex_share_per_yr: Share("1/yr") | None = None
    connection_annualised_cost_eur_per_yr: Annualised("EUR/yr", Plausible(
        0, 1e8, "meant kEUR/yr?")) = None
    supply_max_c: Celsius
    supply_min_c: Celsius
    design_outdoor_c: Celsius
    cutoff_outdoor_c: Celsius
    network_carbon_g_per_kwh_th: dict[str, NonNegative("gCO2e/kWh_th", Plausible(0, 600))] = {}


class GensetSpec(_Costed):
    """A backup generator set (``kind: genset``) for supply continuity. Power cost:
    ``capex_eur_per_kw`` + ``lifetime_yr`` (annuitised) + ``fixed_opex_share_per_yr`` (fixed
    O&M as a share of capex per year), or ``annualised_cost_eur_per_mw_yr``; on-site fuel store: ``fuel_storage_capex_eur_per_mwh_e``
    per MWh of electricity the stored fuel yields + ``fuel_storage_lifetime_yr``. Fuel cost
    and emission factor are per kWh of electricity (fuel price or factor / electrical
    efficiency); the test runs burn ``test_hours_per_yr`` x ``test_load_share`` x capacity."""

    COST_FORMS = (
        CostForm("capex_eur_per_kw", "lifetime_yr", "fixed_opex_share_per_yr",
                 "annualised_cost_eur_per_mw_yr", scale=1000.0, capex_only=("lifetime_yr",),
                 opex_required=False),
        CostForm("fuel_storage_capex_eur_per_mwh_e", "fuel_storage_lifetime_yr",
                 "fuel_storage_fixed_opex_share_per_yr",
                 "fuel_storage_annualised_cost_eur_per_mwh_e_yr",
                 capex_only=("fuel_storage_lifetime_yr",), opex_required=False),
    )
    kind: Literal["genset"]
    unit_mw: Positive("MW", Plausible(0.05, 50, "meant kW?"))
    capex_eur_per_kw: NonNegative("EUR/kW", Plausible(0, 10_000, "meant EUR/MW?")) | None = None
    lifetime_yr: Lifetime | None = None
    fixed_opex_share_per_yr: Share("1/yr") | None = None
    annualised_cost_eur_per_mw_yr: Annualised("EUR/MW/yr") = None
    fuel_cost_eur_per_mwh_e: NonNegative("EUR/MWh")
    emission_factor_g_per_kwh_e: NonNegative("gCO2e/kWh")
    test_hours_per_yr: Annotated[Quantity, _unit("h/yr"), _in_range(0, 8760)]
    test_load_share: Share()
    fuel_storage_capex_eur_per_mwh_e: NonNegative("EUR/MWh") | None = None
    fuel_storage_lifetime_yr: Lifetime | None = None
    fuel_storage_fixed_opex_share_per_yr: Share("1/yr") | None = None
    fuel_storage_annualised_cost_eur_per_mwh_e_yr: Annualised("EUR/MWh/yr") = None


class BatteryBackupSpec(_Entry):
    """The site battery (``options.battery_type``) serving as UPS (``kind: battery``): its
    cost is the battery's own; ``unit_mw`` is its largest block (inverter/container), the
    unit that may fail under N+1 when the battery alone is the backup."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["battery"]
    unit_mw: Positive("MW", Plausible(0.05, 50, "meant kW?"))


BackupSpec = Annotated[GensetSpec | BatteryBackupSpec, Field(discriminator="kind")]


class HeatSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    heat_pump: HeatPumpSpec
    district_heating: DistrictHeatingSpec


class SiteFacts(_Entry):
    """Planning facts of a candidate site (the hourly series live in data/sites/<id>.nc)."""

    grid_connection_mw: Positive("MW", Plausible(0.1, 2000, "meant kW?"))
    floor_area_m2: Positive("m2", Plausible(10, 2e6, "meant ha or km2?"))
    water_allowance_m3_per_yr: NonNegative("m3/yr", Plausible(0, 1e8, "meant litres/yr?"))
    facility_capex_eur_per_kw_it: NonNegative("EUR/kW_IT", Plausible(0, 50_000,
                                                                     "meant EUR/MW_IT?"))
    facility_lifetime_yr: Lifetime
    site_fixed_cost_eur_per_yr: NonNegative("EUR/yr", Plausible(0, 1e9, "meant kEUR/yr?"))
    # energy part above spot: a PPA displaces it
    grid_supply_margin_eur_per_mwh: NonNegative("EUR/MWh", Plausible(0, 200, "meant EUR/kWh?"))
    # network tariffs, on all energy withdrawn
    grid_network_eur_per_mwh: NonNegative("EUR/MWh", Plausible(0, 500, "meant EUR/kWh?"))
    # taxes, fees, levies excl. VAT, on all energy withdrawn
    grid_levies_eur_per_mwh: NonNegative("EUR/MWh", Plausible(0, 500, "meant EUR/kWh?"))
    heat_price_eur_per_mwh: NonNegative("EUR/MWh_th", Plausible(0.5, 500, "meant EUR/kWh?"))
    district_heating_available: bool = True
    # carbon content of the site's own network [gCO2e/kWh_th]; None: the country value of
    # heat.district_heating.network_carbon_g_per_kwh_th
    heat_network_carbon_g_per_kwh_th: NonNegative("gCO2e/kWh_th", Plausible(0, 600)) | None = None
    supply_potential_mw: dict[str, NonNegative("MW", Plausible(0, 5000, "meant kW?"))]
    operator_non_eu_ownership_share: Share()
    legal_exposures: list[str] = []
    # the grid connection as a decision (options.grid_connection_cost; greendc.formulation.
    # connection): capex by the site's voltage level, annual capacity tariff on the contracted
    # MW, the reference load factor that splits the per-MWh network charge, and the queue
    grid_connection_voltage_kv: Positive("kV", Plausible(1, 800, "meant V?")) | None = None
    grid_connection_capex_eur_per_mw: NonNegative("EUR/MW", Plausible(
        0, 2e6, "meant EUR/kW?")) | None = None
    grid_connection_lifetime_yr: Lifetime | None = None
    grid_capacity_tariff_eur_per_mw_yr: NonNegative("EUR/MW/yr", Plausible(
        0, 5e5, "meant EUR/kW/yr?")) | None = None
    grid_network_reference_load_factor: Annotated[Quantity, _unit("1"), _in_range(
        0, 1, lo_open=True, hint="; a load factor is a fraction in (0, 1]")] | None = None
    grid_connection_year: CalendarYear | None = None


class Catalogue(BaseModel):
    """All catalogues, validated. Values are ``Quantity``; use ``.value`` in preprocessing."""

    model_config = ConfigDict(extra="forbid", strict=True)
    servers: dict[str, ServerSpec]
    cooling: dict[str, CoolingSpec]
    storage: dict[str, BatterySpec]
    supply: dict[str, SupplySpec]
    heat: HeatSpec
    backup: dict[str, BackupSpec]
    sites: dict[str, SiteFacts]

    def sources(self) -> set[str]:
        """Every source key used anywhere in the catalogue."""
        found: set[str] = set()

        def walk(obj: Any) -> None:
            if isinstance(obj, Quantity):
                found.add(obj.source)
            elif isinstance(obj, BaseModel):
                for name in type(obj).model_fields:
                    walk(getattr(obj, name))
            elif isinstance(obj, dict):
                for v in obj.values():
                    walk(v)
            elif isinstance(obj, list):
                for v in obj:
                    walk(v)

        walk(self)
        return found


def did_you_mean(name: str, known, cutoff: float = 0.6) -> str:
    """``"did you mean 'X'? "`` for the closest known name (ignoring case, spaces, dots and
    hyphens: ``"UK IPA 2016"`` -> ``UK_IPA_2016``), or ``""``."""
    def norm(text: str) -> str:
        return re.sub(r"[\s_.\-]+", "_", str(text)).strip("_").lower()

    known = [str(k) for k in known]
    same = [k for k in known if norm(k) == norm(name)]
    close = same or [next(k for k in known if norm(k) == c) for c in difflib.get_close_matches(
        norm(name), [norm(k) for k in known], n=1, cutoff=cutoff)]
    return f"did you mean '{close[0]}'? " if close else ""


def read_catalogue_dicts(data_dir: pathlib.Path | None = None) -> dict[str, Any]:
    """Read the raw catalogue YAML files into one dict keyed by file stem."""
    folder = pathlib.Path(data_dir or DATA_DIR) / "catalogue"
    raw: dict[str, Any] = {}
    for stem in CATALOGUE_FILES:
        path = folder / f"{stem}.yaml"
        if not path.exists():
            raise DataError(f"{path}: catalogue file missing (expected one of {CATALOGUE_FILES})")
        raw[stem] = load_yaml(path, DataError)
    return raw


LAYER_SECTIONS = {"servers": ServerSpec, "cooling": CoolingSpec, "storage": BatterySpec,
                  "supply": SupplySpec, "backup": GensetSpec}
LAYER_HEAT = {"heat_pump": HeatPumpSpec, "district_heating": DistrictHeatingSpec}
USER_SOURCE = "user: {file}"


def layer_catalogues(raw: dict[str, Any], files: list[tuple[str, pathlib.Path]]) -> dict[str, Any]:
    """Return a copy of the raw catalogue with the planner's own catalogue files layered on
    it, in order (a later file wins). ``files``: (name as the scenario gives it, path).

    A file holds any of the sections ``servers``, ``cooling``, ``storage``, ``supply`` (entries
    by id) and ``heat`` (``heat_pump``, ``district_heating``), in the built-in YAML format.
    An entry with a new id is added and must be complete; an entry with a known id changes
    only the fields it gives (a mapping of quantities such as ``strike_eur_per_mwh`` or
    ``parameters`` merges key by key). A cost quoted in one form (capex or annualised,
    ``CostForm``) replaces the other form of the layers below. Every number is
    ``{value, unit[, source]}``; a missing source is recorded as ``user: <file>``. Each layer
    is validated as it is added, so an error names the file, the entry and the field."""
    out = copy.deepcopy(raw)
    for name, path in files:
        layer = load_yaml(path, DataError)
        if layer is None:
            continue
        if not isinstance(layer, dict):
            raise DataError(f"{name}: expected a mapping of catalogue sections "
                            f"{sorted([*LAYER_SECTIONS, 'heat'])}, got {type(layer).__name__}")
        _fill_sources(layer, USER_SOURCE.format(file=name))
        for section, entries in layer.items():
            if section in LAYER_SECTIONS:
                _layer_section(out[section], entries, LAYER_SECTIONS[section], name, section,
                               new_allowed=True)
            elif section == "heat":
                _layer_section(out["heat"], entries, LAYER_HEAT, name, section,
                               new_allowed=False)
            else:
                hint = did_you_mean(str(section), [*LAYER_SECTIONS, "heat"])
                sites = ("; site facts go into the scenario (sites: [{id, facts}])"
                         if section == "sites" else "")
                raise DataError(f"{name}: unknown catalogue section '{section}'; {hint}"
                                f"expected {sorted([*LAYER_SECTIONS, 'heat'])}{sites}")
        try:
            Catalogue.model_validate(out)
        except ValidationError as exc:
            raise DataError(format_validation_error(exc, name, prefix="", model=Catalogue)) \
                from None
    return out


def _fill_sources(node: Any, source: str) -> None:
    if isinstance(node, dict):
        if "value" in node and "source" not in node:
            node["source"] = source
        for v in node.values():
            _fill_sources(v, source)
    elif isinstance(node, list):
        for v in node:
            _fill_sources(v, source)


def _layer_section(base: dict[str, Any], entries: Any, spec: Any, name: str, section: str,
                   new_allowed: bool) -> None:
    if not isinstance(entries, dict):
        raise DataError(f"{name}: {section}: expected a mapping of entries by id, got "
                        f"{entries!r}")
    for key, fields in entries.items():
        where = f"{name}: {section}.{key}"
        if not isinstance(fields, dict):
            raise DataError(f"{where}: expected a mapping of fields, got {fields!r}")
        if key not in base:
            if not new_allowed:
                raise DataError(f"{where}: unknown entry; {did_you_mean(key, base)}known: "
                                f"{sorted(base)}")
            base[key] = {"name": key, **fields}
            continue
        cls = spec[key] if isinstance(spec, dict) else spec
        base[key] = _merge_entry(base[key], fields, cls, where)


def _merge_entry(old: dict[str, Any], new: dict[str, Any], cls: Any, where: str) -> dict:
    merged = dict(old)
    for field, value in new.items():
        prior = old.get(field)
        if isinstance(prior, dict) and "value" in prior and not isinstance(value, dict):
            raise DataError(f"{where}.{field} = {value!r}: give a quantity {{value: {value!r}, "
                            f"unit: '{prior.get('unit')}'}} (expected unit "
                            f"{expected_unit(cls, (field,)) or prior.get('unit')})")
        if isinstance(prior, dict) and "value" not in prior and isinstance(value, dict):
            merged[field] = {**prior, **value}  # a mapping of quantities: key by key
        else:
            merged[field] = value
    for form in getattr(cls, "COST_FORMS", ()):
        if form.annualised in new:
            for f in form.fields():
                if f not in new:
                    merged.pop(f, None)
        elif form.capex in new and form.annualised not in new:
            merged.pop(form.annualised, None)
    return merged


def expected_unit(model: Any, loc: tuple) -> str | None:
    """The model unit of the quantity field at ``loc`` of ``model`` (None when not one)."""
    tp = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, dict):
            tp = tp.get(str(part))
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
            if isinstance(tp, type) and issubclass(tp, Quantity) and field.metadata:
                tp = Annotated[(tp, *field.metadata)]
        elif typing.get_origin(tp) in (list, dict) and typing.get_args(tp):
            tp = typing.get_args(tp)[-1]
        else:
            return None
    return _unit_of(tp)


def _unit_of(tp: Any) -> str | None:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        for meta in typing.get_args(tp)[1:]:
            unit = getattr(getattr(meta, "func", None), "expected_unit", None)
            if unit is not None:
                return unit
        return _unit_of(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        units = [_unit_of(a) for a in typing.get_args(tp) if a is not type(None)]
        return next((u for u in units if u), None)
    return None


def user_catalogue_files(loaded: Any) -> list[tuple[str, pathlib.Path]]:
    """(name as given, resolved path) of a scenario's own catalogue files (``catalogue:``),
    relative to the scenario file."""
    from greendc.timeseries import resolve_user_path

    return [(name, resolve_user_path(loaded, name, f"catalogue[{i}]"))
            for i, name in enumerate(loaded.scenario.catalogue)]


def scenario_catalogue_dicts(loaded: Any) -> dict[str, Any]:
    """Raw catalogue of a scenario: built-in (or the deprecated ``data_dir`` copy), then its
    own ``catalogue:`` files layered on top (``layer_catalogues``); overrides not applied."""
    from greendc.timeseries import data_dir

    return layer_catalogues(read_catalogue_dicts(data_dir(loaded)), user_catalogue_files(loaded))


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any], origin: str) -> dict[str, Any]:
    """Return a copy of the raw catalogue with dotted-path overrides applied.

    ``servers.h100_sxm_node.price_eur: 250000`` replaces that quantity's value (keeping its
    unit, marking its source as a scenario override); a non-quantity leaf (a list, a flag, a
    name) is replaced as given. An optional field the entry does not carry yet (an annualised
    cost, a ``discount_rate``) takes a full ``{value, unit}`` and replaces the other cost form.
    Unknown paths are errors naming the path and the nearest keys.
    """
    out = copy.deepcopy(raw)
    for path, new in overrides.items():
        keys = str(path).split(".")
        node: Any = out
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(node, dict) or key not in node:
                known = ", ".join(sorted(node)) if isinstance(node, dict) else "(not a mapping)"
                hint = did_you_mean(key, node) if isinstance(node, dict) else ""
                raise ScenarioError(
                    f"{origin}: overrides.{path}: unknown catalogue entry "
                    f"'{'.'.join(keys[: depth + 1])}'; {hint}known here: {known}"
                )
            node = node[key]
        leaf = keys[-1]
        cls = _entry_class(keys)
        if cls is not None and leaf not in node and leaf in cls.model_fields:
            _set_absent_field(node, leaf, new, cls, f"{origin}: overrides.{path}")
            continue
        if not isinstance(node, dict) or leaf not in node:
            known = ", ".join(sorted(node)) if isinstance(node, dict) else "(not a mapping)"
            close = (difflib.get_close_matches(leaf, list(node), n=1)
                     if isinstance(node, dict) else [])
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ScenarioError(
                f"{origin}: overrides.{path}: unknown field '{leaf}'; {hint}known here: {known}"
            )
        if isinstance(node[leaf], dict) and "value" in node[leaf]:
            if isinstance(new, dict):
                node[leaf] = {**node[leaf], **new, "source": OVERRIDE_SOURCE}
            else:
                node[leaf] = {**node[leaf], "value": new, "source": OVERRIDE_SOURCE}
        else:
            node[leaf] = new
    return out


def _entry_class(keys: list[str]) -> Any:
    """The pydantic class of the entry ``section.entry`` a 3-part override path points into."""
    if len(keys) != 3:
        return None
    if keys[0] == "heat":
        return LAYER_HEAT.get(keys[1])
    return LAYER_SECTIONS.get(keys[0])


def _set_absent_field(entry: dict[str, Any], field: str, new: Any, cls: Any, where: str) -> None:
    """An override of an optional field the entry does not carry (an annualised cost, an own
    discount rate): a full quantity, and the other cost form is dropped (``_merge_entry``)."""
    unit = expected_unit(cls, (field,))
    if unit is not None and not (isinstance(new, dict) and {"value", "unit"} <= set(new)):
        raise ScenarioError(f"{where} = {new!r}: the entry has no {field} to take a unit from; "
                            f"give {{value: <number>, unit: '{unit}'}}")
    if isinstance(new, dict):
        new = {**new, "source": new.get("source", OVERRIDE_SOURCE)}
    try:
        merged = _merge_entry(entry, {field: new}, cls, where)
    except DataError as exc:
        raise ScenarioError(str(exc)) from None
    entry.clear()
    entry.update(merged)


def validate_catalogue(raw: dict[str, Any], origin: str) -> Catalogue:
    """Validate raw catalogue dicts (units converted to the model's, see ``greendc.units``);
    all problems are reported at once. Values outside their ``Plausible`` range warn, values
    far outside it are refused (``check_plausible``)."""
    try:
        cat = Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise DataError(format_validation_error(exc, origin, prefix="", model=Catalogue)) from None
    check_plausible(cat, origin, DataError)
    return cat


def _plausible_of(annotation: Any, metadata: list | tuple = ()) -> Plausible | None:
    found = [m for m in metadata if isinstance(m, Plausible)]
    if typing.get_origin(annotation) is Annotated:
        found += [m for m in typing.get_args(annotation)[1:] if isinstance(m, Plausible)]
    return found[0] if found else None


def _plausibility_items(obj: Any, path: str = ""):
    """(dotted path, value, unit, Plausible) for every field of ``obj`` that declares one."""
    if not isinstance(obj, BaseModel):
        return
    for name, field in type(obj).model_fields.items():
        value = getattr(obj, name)
        where = f"{path}.{name}" if path else name
        rule = _plausible_of(field.annotation, field.metadata)
        if isinstance(value, dict):
            args = typing.get_args(_unwrap(field.annotation))
            inner = _plausible_of(args[-1]) if args else None
            for key, item in value.items():
                if inner is not None:
                    yield from _one(f"{where}.{key}", item, inner)
                else:
                    yield from _plausibility_items(item, f"{where}.{key}")
        elif rule is not None:
            yield from _one(where, value, rule)
        else:
            yield from _plausibility_items(value, where)


def _one(where: str, value: Any, rule: Plausible):
    if isinstance(value, Quantity):
        yield where, value.value, value.unit, rule
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield where, float(value), "", rule


def check_plausible(obj: BaseModel, origin: str, error: type[Exception]) -> None:
    """Warn (``PlausibilityWarning``) for each value outside its field's plausible range;
    raise ``error`` listing every value more than ``REFUSE_FACTOR`` beyond it."""
    refused = []
    for where, value, unit, rule in _plausibility_items(obj):
        if rule.low <= value <= rule.high:
            continue
        shown = f"{value:,.6g}" + (f" [{unit}]" if unit else "")
        rng = f"[{rule.low:,.6g}, {rule.high:,.6g}]" + (f" {unit}" if unit else "")
        hint = f" ({rule.hint})" if rule.hint else ""
        far = (value > rule.high * REFUSE_FACTOR if rule.high > 0 else value > REFUSE_FACTOR) \
            or (rule.low > 0 and value < rule.low / REFUSE_FACTOR)
        if far:
            refused.append(f"{origin}: {where} = {shown}: far outside the plausible range "
                           f"{rng}{hint}; refused: such a number can only be a slip and would "
                           "wreck the solver's numerics")
        else:
            warnings.warn(f"{origin}: {where} = {shown} is outside the plausible range "
                          f"{rng}{hint}; kept as given", PlausibilityWarning, stacklevel=3)
    if refused:
        raise error("\n".join(refused))


def load_catalogue(
    data_dir: pathlib.Path | None = None, overrides: dict[str, Any] | None = None,
    origin: str = "catalogue",
) -> Catalogue:
    """Load ``data/catalogue/*.yaml``, apply scenario overrides and validate."""
    raw = read_catalogue_dicts(data_dir)
    if overrides:
        raw = apply_overrides(raw, overrides, origin)
    folder = pathlib.Path(data_dir or DATA_DIR) / "catalogue"
    return validate_catalogue(raw, origin if overrides else str(folder))


def _unwrap(tp: Any) -> Any:
    """``X | None`` -> ``X``; ``Annotated[X, ...]`` -> ``X``."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else tp
    return tp


def known_fields(model: Any, loc: tuple) -> list[str]:
    """Field names a pydantic ``model`` allows at location ``loc`` (empty when unknown)."""
    tp = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return []
            tp = field.annotation
        elif typing.get_origin(tp) in (list, dict) and typing.get_args(tp):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _split_field_messages(errors: list[dict], model: Any) -> list[dict]:
    """A model validator's ``field: message`` lines become errors at ``loc.field`` (their
    value shown when it is a plain number)."""
    out = []
    for err in errors:
        lines = err["msg"].removeprefix("Value error, ").split("\n")
        known = known_fields(model, tuple(err["loc"])) if model is not None else []
        if err["type"] != "value_error" or not all(
                ln.split(": ", 1)[0] in known for ln in lines):
            out.append(err)
            continue
        for ln in lines:
            field, msg = ln.split(": ", 1)
            out.append({**err, "loc": (*err["loc"], field), "msg": msg, "input": {}})
    return out


def format_validation_error(exc: ValidationError, origin: str, prefix: str,
                            model: Any = None) -> str:
    """Turn a pydantic error into lines ``origin: dotted.field = value: message``.

    With ``model`` (the validated pydantic class), an unknown field gets the closest known
    field name as a suggestion (``objectve`` -> ``did you mean 'objective'?``)."""
    lines = []
    for err in _split_field_messages(exc.errors(), model):
        loc = ".".join(str(p) for p in err["loc"])
        loc = f"{prefix}{loc}" if prefix else loc
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = known_fields(model, tuple(err["loc"][:-1])) if model is not None else []
            close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            msg = f"unknown field (typo?); {hint}remove it or check the spelling"
        elif err["type"] == "missing":
            unit = expected_unit(model, tuple(err["loc"])) if model is not None else None
            msg = "required field is missing" + (
                f"; give {{value: <number>, unit: '{unit}'}}" if unit else "")
        elif err["type"] == "model_type" and (err.get("ctx") or {}).get(
                "class_name") == "Quantity":
            unit = expected_unit(model, tuple(err["loc"])) if model is not None else None
            msg = (f"a bare value where a quantity is expected; give {{value: "
                   f"{err.get('input')!r}, unit: '{unit or '<unit>'}'}}")
        elif isinstance(err.get("input"), bool) and err["type"] in ("float_type", "int_type"):
            msg = ("a yes/no (boolean) where a number is expected; give the number "
                   "(booleans are never read as 1 or 0)")
        value = err.get("input")
        shown = "" if err["type"] == "missing" or isinstance(value, dict) else f" = {value!r}"
        lines.append(f"{origin}: {loc}{shown}: {msg}")
    return "\n".join(lines)


def dump_quantity_table(cat: Catalogue) -> list[dict[str, Any]]:
    """Flat list of every catalogue quantity (path, value, unit, source) for provenance."""
    rows: list[dict[str, Any]] = []

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, Quantity):
            rows.append({"path": path, "value": obj.value, "unit": obj.unit, "source": obj.source})
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{path}.{name}" if path else name)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, f"{path}.{k}")

    walk(cat, "")
    return rows


__all__ = [
    "Catalogue", "Quantity", "load_catalogue", "apply_overrides", "validate_catalogue",
    "read_catalogue_dicts", "format_validation_error", "layer_catalogues",
    "scenario_catalogue_dicts", "user_catalogue_files", "dump_quantity_table", "did_you_mean",
]
