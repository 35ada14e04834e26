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
- ``supply.yaml``: solar/wind supply (strike price per country [EUR/MWh], annualised owned
  capacity cost [EUR/MW/yr], life-cycle factor [gCO2e/kWh]).
- ``heat.yaml``: heat pump (Carnot efficiency, capex [EUR/MW_th], direct-exchange pumping
  share) and district-heating defaults, with the networks' carbon content per country
  [gCO2e/kWh_th].
- ``sites.yaml``: planning facts per site (grid connection [MW], floor [m2], water [m3/yr], ...).
"""

from __future__ import annotations

import copy
import difflib
import math
import pathlib
import types
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from greendc.errors import DataError, ScenarioError
from greendc.resources import DATA_DIR
from greendc.yamlio import load_yaml

# EU member states (ISO 3166 alpha-2), for vendor origin and site jurisdiction rules.
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
CATALOGUE_FILES = ("servers", "cooling", "storage", "supply", "heat", "sites")
OVERRIDE_SOURCE = "scenario override"


class Quantity(BaseModel):
    """A catalogue number with its unit and source key."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float
    unit: str
    source: str


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


NonNegative = Annotated[Quantity, _in_range(0, None)]
Positive = Annotated[Quantity, _in_range(0, None, lo_open=True)]
Share = Annotated[
    Quantity, _in_range(0, 1, hint="; shares are fractions: did you give a percentage?")
]
Efficiency = Annotated[Quantity, _in_range(0, 1, lo_open=True, hint="; efficiencies are in (0, 1]")]
Lifetime = Annotated[Quantity, _in_range(0, 100, lo_open=True, hint="; lifetimes are years > 0")]
Celsius = Annotated[
    Quantity, _in_range(-60, 200, hint="; temperatures are degC (Kelvin given?)")
]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class ServerSpec(_Entry):
    """One node type. Power and performance are per node."""

    vendor: str
    origin: str = Field(description="ISO country of the vendor's headquarters")
    accelerators_per_node: int = Field(ge=0)
    power_kw: Positive
    idle_power_kw: NonNegative
    performance_pflops: Positive
    price_eur: Positive
    embodied_kg_co2: NonNegative
    lifetime_yr: Lifetime
    max_nodes_per_rack: Positive
    compatible_cooling: list[str] | None = None


class CoolingSpec(_Entry):
    pue_model: str
    capex_eur_per_kw_it: NonNegative
    fixed_opex_share_per_yr: Share
    lifetime_yr: Lifetime
    max_rack_density_kw_per_rack: Positive
    floor_m2_per_rack: Positive
    heat_output_temperature_c: Celsius
    recoverable_heat_share: Share
    parameters: dict[str, Quantity]

    @field_validator("parameters")
    @classmethod
    def _parameter_ranges(cls, params: dict[str, Quantity]) -> dict[str, Quantity]:
        """Range checks by naming convention, so a bad parameter is reported with the
        catalogue path (a negative loss share would otherwise surface as PUE < 1 later)."""
        bad = []
        for key, q in params.items():
            v = q.value
            if not math.isfinite(v):
                bad.append(f"{key} = {v} [{q.unit}]: expected a finite number")
            elif key.endswith(("_efficiency", "_effectiveness")) and not 0 < v <= 1:
                bad.append(f"{key} = {v} [{q.unit}]: efficiencies are in (0, 1]")
            elif key.endswith("_share") and not 0 <= v <= 1:
                bad.append(f"{key} = {v} [{q.unit}]: shares are fractions in [0, 1] "
                           "(did you give a percentage?)")
            elif key.endswith("_c") and not -60 <= v <= 200:
                bad.append(f"{key} = {v} [{q.unit}]: expected degC in [-60, 200] "
                           "(Kelvin given?)")
        if bad:
            raise ValueError("; ".join(bad))
        return params


class BatterySpec(_Entry):
    energy_capex_eur_per_mwh: NonNegative
    power_capex_eur_per_mw: NonNegative
    energy_lifetime_yr: Lifetime
    power_lifetime_yr: Lifetime
    fixed_opex_share_per_yr: Share
    charge_efficiency: Efficiency
    discharge_efficiency: Efficiency
    embodied_kg_co2_per_kwh: NonNegative


class SupplySpec(_Entry):
    capacity_factor_variable: str
    strike_eur_per_mwh: dict[str, NonNegative]
    capex_eur_per_kw: NonNegative
    fixed_opex_share_per_yr: Share
    lifetime_yr: Lifetime
    lifecycle_g_co2_per_kwh: NonNegative


class HeatPumpSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    carnot_efficiency: Efficiency
    approach_k: NonNegative
    cop_max: Positive
    direct_exchange_aux_share: Annotated[Quantity, _in_range(0, 1, lo_open=True)]
    capex_eur_per_mw_th: NonNegative
    fixed_opex_share_per_yr: Share
    lifetime_yr: Lifetime


class DistrictHeatingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    connection_capex_eur: NonNegative
    connection_lifetime_yr: Lifetime
    supply_max_c: Celsius
    supply_min_c: Celsius
    design_outdoor_c: Celsius
    cutoff_outdoor_c: Celsius
    network_carbon_g_per_kwh_th: dict[str, NonNegative] = {}


class HeatSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    heat_pump: HeatPumpSpec
    district_heating: DistrictHeatingSpec


class SiteFacts(_Entry):
    """Planning facts of a candidate site (the hourly series live in data/sites/<id>.nc)."""

    grid_connection_mw: Positive
    floor_area_m2: Positive
    water_allowance_m3_per_yr: NonNegative
    facility_capex_eur_per_kw_it: NonNegative
    facility_lifetime_yr: Lifetime
    site_fixed_cost_eur_per_yr: NonNegative
    grid_supply_margin_eur_per_mwh: NonNegative  # energy part above spot: a PPA displaces it
    grid_network_eur_per_mwh: NonNegative  # network tariffs, on all energy withdrawn
    grid_levies_eur_per_mwh: NonNegative  # taxes, fees, levies excl. VAT, on all energy withdrawn
    heat_price_eur_per_mwh: NonNegative
    district_heating_available: bool = True
    # carbon content of the site's own network [gCO2e/kWh_th]; None: the country value of
    # heat.district_heating.network_carbon_g_per_kwh_th
    heat_network_carbon_g_per_kwh_th: NonNegative | None = None
    supply_potential_mw: dict[str, NonNegative]
    operator_non_eu_ownership_share: Share
    legal_exposures: list[str] = []


class Catalogue(BaseModel):
    """All catalogues, validated. Values are ``Quantity``; use ``.value`` in preprocessing."""

    model_config = ConfigDict(extra="forbid")
    servers: dict[str, ServerSpec]
    cooling: dict[str, CoolingSpec]
    storage: dict[str, BatterySpec]
    supply: dict[str, SupplySpec]
    heat: HeatSpec
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


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any], origin: str) -> dict[str, Any]:
    """Return a copy of the raw catalogue with dotted-path overrides applied.

    ``servers.h100_sxm_node.price_eur: 250000`` replaces that quantity's value (keeping its
    unit, marking its source as a scenario override); a non-quantity leaf (a list, a flag, a
    name) is replaced as given. Unknown paths are errors naming the path and the nearest keys.
    """
    out = copy.deepcopy(raw)
    for path, new in overrides.items():
        keys = str(path).split(".")
        node: Any = out
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(node, dict) or key not in node:
                known = ", ".join(sorted(node)) if isinstance(node, dict) else "(not a mapping)"
                raise ScenarioError(
                    f"{origin}: overrides.{path}: unknown catalogue entry "
                    f"'{'.'.join(keys[: depth + 1])}'; known here: {known}"
                )
            node = node[key]
        leaf = keys[-1]
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


def validate_catalogue(raw: dict[str, Any], origin: str) -> Catalogue:
    """Validate raw catalogue dicts; all problems are reported at once."""
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise DataError(format_validation_error(exc, origin, prefix="", model=Catalogue)) from None


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


def format_validation_error(exc: ValidationError, origin: str, prefix: str,
                            model: Any = None) -> str:
    """Turn a pydantic error into lines ``origin: dotted.field = value: message``.

    With ``model`` (the validated pydantic class), an unknown field gets the closest known
    field name as a suggestion (``objectve`` -> ``did you mean 'objective'?``)."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        loc = f"{prefix}{loc}" if prefix else loc
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = known_fields(model, tuple(err["loc"][:-1])) if model is not None else []
            close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            msg = f"unknown field (typo?); {hint}remove it or check the spelling"
        elif err["type"] == "missing":
            msg = "required field is missing"
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
    "read_catalogue_dicts", "format_validation_error", "dump_quantity_table",
]
