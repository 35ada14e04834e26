"""Study scenarios: a YAML file validated by pydantic v2 models.

A scenario names the candidate sites, server types and cooling technologies, the compute
requirement, the objective, limits and sovereignty rules, may layer its own catalogue files
over the built-in catalogue (``catalogue:``, see ``greendc.catalogue.layer_catalogues``) and
may override any catalogue value by its dotted path. Example (``studies/reference_sites.yaml``)::

    name: reference_sites
    sites: [fr-essonne, se-stockholm, de-frankfurt, es-madrid, gb-london, nl-amsterdam]
    compute: {required_pflops: 20000, utilisation_share: 0.8}
    objective: cost
    sovereignty: {allowed_jurisdictions: [EU, EEA, ADEQUACY]}
    overrides: {servers.b200_node.price_eur: 380000}

Unknown fields are errors (typos never pass silently); numbers are strict (a bool is not a
number); every problem is reported at once with the file, the dotted field, the value and what
was expected. Fields with a documented plausible range (``Plausible`` in their annotation)
warn outside it (value kept) and are refused far beyond it (``greendc.catalogue.
check_plausible``).
"""

from __future__ import annotations

import hashlib
import json
import math
import pathlib
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator,
)

from greendc.catalogue import Plausible, check_plausible, format_validation_error
from greendc.errors import ScenarioError
from greendc.yamlio import load_yaml, parse_yaml

JURISDICTION_GROUPS = ("EU", "EEA", "ADEQUACY")
# ISO 3166-1 alpha-2 (249 codes, as in the IANA tz database's iso3166.tab, 2024).
ISO_ALPHA2 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW""".split())
# Codes planners write that ISO spells otherwise (EU usage: UK, EL for Greece).
JURISDICTION_ALIASES = {"UK": "GB", "EL": "GR", "EUROPE": "EU"}


class FrozenList(list):
    """A validated scenario's list: reads like a list (``== [...]`` holds), refuses changes."""

    def _refuse(self, *args, **kwargs):
        raise TypeError(FROZEN_HINT)

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self):  # pickle/deepcopy rebuild it whole (no append)
        return (FrozenList, (list(self),))


class FrozenDict(dict):
    """A validated scenario's mapping: reads like a dict, refuses changes."""

    def _refuse(self, *args, **kwargs):
        raise TypeError(FROZEN_HINT)

    __setitem__ = __delitem__ = __ior__ = setdefault = update = pop = popitem = clear = _refuse

    def __reduce__(self):
        return (FrozenDict, (dict(self),))


FROZEN_HINT = ("a loaded scenario cannot be changed in place (its inputs were prepared from "
               "it); load a changed copy: greendc.load_study(source, overrides={'dotted.path': "
               "value}) or study.with_changes({'dotted.path': value})")


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return FrozenList(_freeze(v) for v in value)
    if isinstance(value, dict):
        return FrozenDict({k: _freeze(v) for k, v in value.items()})
    return value


class _Strict(BaseModel):
    """Unknown fields are errors; numbers are strict (an int is a number, a bool is not:
    ``required_pflops: true`` is refused instead of being read as 1).

    Frozen: a validated scenario is read-only, its lists and mappings too (``FrozenList``,
    ``FrozenDict``), because a study's inputs are prepared from it once; a change would
    otherwise be silently ignored or half applied. Change a copy with ``with_overrides``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__}.{name}: {FROZEN_HINT}")

    @model_validator(mode="after")
    def _freeze_containers(self):
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, (list, dict)) and not isinstance(value, (FrozenList, FrozenDict)):
                object.__setattr__(self, name, _freeze(value))
        return self


class SiteRef(_Strict):
    """A candidate site: a reference site id, optionally with the user's own hourly file.

    ``file`` is NetCDF or CSV with the site variables (see ``greendc.sitedata.io``): a path
    relative to the scenario file (``../data/x.csv`` allowed) or absolute. ``facts`` gives or
    overrides planning facts of ``data/catalogue/sites.yaml`` (required in full for a site
    that is not in the catalogue) as plain numbers in the documented units or
    ``{value, unit}`` converted with pint (``greendc.sitefacts``). ``country`` and the
    memberships set the site's jurisdiction (a CSV file carries none).
    """

    id: str = Field(min_length=1, description="site id: a reference site (see `greendc data "
                    "list`) or the planner's own id (then `file` and `facts` are needed)")
    file: str | None = Field(None, description="own hourly site file (.nc or .csv, see "
                             "greendc.sitedata.io), relative to the scenario file or absolute; "
                             "default: the reference file data/sites/<id>_<data_year>.nc")
    facts: dict[str, Any] = Field({}, description="planning facts in the documented units "
                                  "(grid_connection_mw [MW], floor_area_m2 [m2], ...) or "
                                  "{value, unit} converted with pint, giving or overriding the site's entry of "
                                  "data/catalogue/sites.yaml")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 country of the site "
                                "(overrides the file's); EU/EEA/adequacy follow unless given")
    eu_member: bool | None = Field(None, description="EU member state (default: from country)")
    eea_member: bool | None = Field(None, description="EEA member (default: from country)")
    eu_adequacy_decision: bool | None = Field(
        None, description="country with an EU adequacy decision (default: from country)")

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is None or value in ISO_ALPHA2:
            return value
        up = value.strip().upper()
        hint = (f"did you mean '{JURISDICTION_ALIASES[up]}'? " if up in JURISDICTION_ALIASES
                else f"did you mean '{up}'? " if up in ISO_ALPHA2 else "")
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code; {hint}"
                         "expected e.g. FR, DE, SE, GB")


class Flexibility(_Strict):
    """Flexible (deferrable) training load (``greendc.formulation.flexible``). The IT work is
    an inference share that runs every hour as today and a training share whose energy per
    ``period`` is fixed while its hourly power may move between a floor and every installed
    node at full load; the optimiser may install more nodes than the work needs (more peak
    for the same work) and run them harder in cheap or clean hours."""

    training_share: float = Field(ge=0, le=1, description="deferrable (training) share of "
                                  "the IT work, 0-1 (0: all inference, nothing moves)")
    period: Literal["day", "week"] = Field(
        "day", description="window over which the training energy is fixed: day (24 h) or "
        "week (168 h), counted from the horizon's first hour; typical days allow only day")
    floor_share: float = Field(0.0, ge=0, le=1, description="hourly training power >= "
                               "floor_share x its unshifted (average) power, 0-1")
    max_ramp_share_per_h: float | None = Field(
        None, gt=0, le=1, description="largest change of the IT power between consecutive "
        "hours, as a share of the installed IT peak per hour, 0-1 (default: no limit)")
    curtailable_share: float = Field(0.0, ge=0, le=1, description="share of each period's "
                                     "training energy that may be dropped, 0-1")
    curtailment_cost_eur_per_mwh: float | None = Field(
        None, ge=0, description="value of lost training [EUR per MWh of IT energy not "
        "drawn]; default: the cheapest candidate server's annualised cost per MWh it draws "
        "in a year (data/SOURCES.md, flexible_training_curtailment_cost)")


class Compute(_Strict):
    """Compute to host: either installed performance (``required_pflops``, the optimiser
    chooses server types and counts) or a given IT power (``it_load_mw``).

    ``it_load_mw`` is a number [MW] or an hourly profile file [MW] (CSV with a column
    ``it_load_mw``, or NetCDF with a variable ``it_load_mw``; 8,760 hourly values or exactly
    the horizon's hours; path relative to the scenario file or absolute). Facility power is
    then IT load x hourly PUE; the cooling plant, facility and grid connection are sized for
    the profile's peak (over the whole year for an 8,760 h profile). Servers: without
    ``server`` none are modelled (their price and embodied emissions are not counted, stated
    in the results as ``server_accounting``; racks follow from the peak IT power and the
    cooling's rack density); with ``server: <id>`` the optimiser sizes the count of that
    catalogue type to carry the peak (nodes x node peak power >= peak IT load) and counts
    their cost and embodied emissions. A given IT load is hosted at one site (max_sites 1).
    """

    required_pflops: Annotated[float | None, Plausible(1, 1e6, "meant TFLOP/s or EFLOP/s?")] = \
        Field(None, gt=0, description="installed peak PFLOP/s (BF16 dense); plausible 1-1e6; "
              "exactly one of required_pflops and it_load_mw")
    it_load_mw: float | str | None = Field(
        None, description="given IT power [MW] (> 0), or the path of an hourly IT-load "
        "profile [MW] (CSV column / NetCDF variable it_load_mw; 8,760 h or the horizon)")
    server: str | None = Field(
        None, description="with it_load_mw: catalogue server type whose count is sized to "
        "carry the peak IT load (cost and embodied counted); omitted: no servers modelled")
    utilisation_share: float = Field(
        0.8, gt=0, le=1, description="average load of the nodes, 0-1 (power interpolates "
        "idle->peak); required_pflops only (with it_load_mw the IT power is given)")
    flexibility: Flexibility | None = Field(
        None, description="flexible training load (default: off, every hour draws the same "
        "IT power): training_share, period, floor_share, max_ramp_share_per_h, "
        "curtailable_share, curtailment_cost_eur_per_mwh")

    @model_validator(mode="after")
    def _one_basis(self) -> Compute:
        if (self.required_pflops is None) == (self.it_load_mw is None):
            raise ValueError("give exactly one of required_pflops [PFLOP/s] (servers chosen "
                             "by the optimiser) and it_load_mw [MW] (a given IT power or "
                             "profile file); got " + ("both" if self.required_pflops else
                                                      "neither"))
        if self.it_load_mw is None:
            if self.server is not None:
                raise ValueError(f"server = {self.server!r} applies to it_load_mw only; "
                                 "with required_pflops list candidates under `servers:`")
            return self
        if isinstance(self.it_load_mw, float) and not 0 < self.it_load_mw <= 5000:
            raise ValueError(f"it_load_mw = {self.it_load_mw:g}: expected an IT power in MW "
                             "in (0, 5000] (meant kW?)")
        if isinstance(self.it_load_mw, str) and not self.it_load_mw.strip():
            raise ValueError("it_load_mw = '': expected a number [MW] or a profile file path")
        if "utilisation_share" in self.model_fields_set:
            raise ValueError("utilisation_share applies to required_pflops only: with "
                             "it_load_mw the IT power drawn is given")
        return self


class Sovereignty(_Strict):
    """Sovereignty rules as data; each becomes a named constraint family.

    ``allowed_jurisdictions``: groups EU, EEA, ADEQUACY (EU adequacy decision) and/or ISO
    country codes; a site is allowed when it belongs to any of them. ``max_non_eu_hardware_share``:
    share of IT power from non-EU vendors. ``max_non_eu_ownership_share``: share of the site
    operator's capital held outside the EU (SecNumCloud: 0.24 for a single holder).
    ``exclude_legal_exposures``: regimes by the names the site data uses, e.g.
    ``["UK_IPA_2016"]``; an unknown name is an error (with "did you mean").
    """

    allowed_jurisdictions: list[str] | None = Field(
        None, description="groups EU, EEA, ADEQUACY and/or ISO 3166-1 alpha-2 codes; a site "
        "is allowed when it belongs to any of them (default: every site)")
    max_non_eu_hardware_share: float = Field(
        1.0, ge=0, le=1, description="largest share of IT power [MW/MW] from non-EU vendors, 0-1")
    max_non_eu_ownership_share: float = Field(
        1.0, ge=0, le=1, description="largest share of the site operator's capital held "
        "outside the EU, 0-1 (SecNumCloud: 0.24)")
    exclude_legal_exposures: list[str] = Field(
        [], description="legal regimes a site must not be exposed to, by the names the site "
        "data uses (e.g. UK_IPA_2016)")

    @field_validator("allowed_jurisdictions")
    @classmethod
    def _known_groups(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("empty list allows no site; omit the rule to allow every site")
        bad = []
        for item in value:
            if item not in JURISDICTION_GROUPS and item not in ISO_ALPHA2:
                hint = (f"did you mean '{JURISDICTION_ALIASES[item.upper()]}'? "
                        if item.upper() in JURISDICTION_ALIASES else
                        f"did you mean '{item.upper()}'? " if item.upper() in JURISDICTION_GROUPS
                        or item.upper() in ISO_ALPHA2 else "")
                bad.append(f"'{item}' is neither a group {JURISDICTION_GROUPS} nor an ISO "
                           f"alpha-2 country code (ISO 3166-1); {hint}".rstrip("; "))
        if bad:
            raise ValueError("; ".join(bad))
        return value


class PuePoint(_Strict):
    """One point of a design PUE curve: PUE at an outdoor dry-bulb temperature."""

    dry_bulb_c: float = Field(ge=-60, le=60, description="outdoor dry-bulb temperature [degC]")
    pue: float = Field(ge=1.0, le=3.0, description="design PUE at that temperature [-], 1-3")


def _check_curve(points: list[PuePoint]) -> list[PuePoint]:
    if len(points) < 2:
        raise ValueError(f"{len(points)} point(s): a PUE curve needs at least 2 points "
                         "{dry_bulb_c: <degC>, pue: <1-3>}")
    temps = [p.dry_bulb_c for p in points]
    if any(b <= a for a, b in zip(temps, temps[1:])):
        raise ValueError(f"dry_bulb_c = {temps}: expected strictly increasing temperatures "
                         "[degC]")
    return points


PueCurve = Annotated[list[PuePoint], AfterValidator(_check_curve)]


class Finance(_Strict):
    discount_rate: float = Field(0.07, ge=0, lt=0.5, description="real discount rate, 0-0.5")
    carbon_price_eur_per_t: Annotated[float, Plausible(0, 2000, "meant EUR/kgCO2?")] = Field(
        0.0, ge=0, description="internal carbon price [EUR/tCO2]; plausible 0-2,000")
    grid_price_scale: float = Field(
        1.0, gt=0, le=10,
        description="factor on the positive hourly day-ahead prices (price scenarios)")
    grid_price_scale_negative: bool = Field(
        False, description="also multiply negative prices by grid_price_scale (default: a "
        "negative hour keeps its price, so a x2 scenario does not double a surplus)")


class Options(_Strict):
    """Which optional parts of the design may be built, and accounting choices.

    ``credit_avoided_heat_emissions`` (default false): subtract the emissions that exported
    heat avoids in the district-heating network (heat x the network's carbon content) from
    the emissions objective and cap. They are always reported as their own line
    (``avoided_heat_t_per_yr``). Off by default because the GHG Protocol reports avoided
    emissions separately from the inventory, never netted against it: the network already
    books the lower emissions of its heat, so netting them here would count them twice, and
    the displaced production is the network's marginal plant, not its average content.

    ``grid_connection_cost`` (default false): the grid connection [MW] is sized per site
    (``greendc.formulation.connection``) and costs its annualised capex plus the annual capacity
    tariff per MW; the per-MWh network charge is then only its energy-related part (split at
    the site's ``grid_network_reference_load_factor``, data/SOURCES.md), so the network cost is
    not counted twice. Needs the site facts ``grid_connection_capex_eur_per_mw``,
    ``grid_connection_lifetime_yr``, ``grid_capacity_tariff_eur_per_mw_yr`` and
    ``grid_network_reference_load_factor``.

    ``ppa`` (default true): off-site power purchase agreements (supply entries of kind
    ``ppa``) may be contracted; false leaves only owned plants, exactly as a
    ``supply_techs`` list without any PPA. ``battery_type``: the storage entry of the
    catalogue that ``battery`` builds (an own one from a ``catalogue:`` file, say).
    """

    battery: bool = Field(True, description="a battery [MWh, MW] may be built at the site")
    battery_type: str = Field("battery", min_length=1, description="storage entry of the "
                              "catalogue built as the battery")
    ppa: bool = Field(True, description="allow off-site PPAs (supply kind 'ppa')")
    heat_export: bool = Field(True, description="waste heat may be sold to district heating "
                              "through a heat pump [MW_th] where the site has a network")
    surplus_sale: bool = Field(True, description="solar/wind output not used on site is sold "
                               "at the hourly spot price (false: spilled, worth 0 EUR/MWh)")
    credit_avoided_heat_emissions: bool = Field(
        False, description="subtract emissions avoided by exported heat [tCO2e/yr] from the "
        "emissions objective and cap (default: reported separately, GHG Protocol)")
    supply_techs: list[str] | None = Field(
        None, description="solar/wind supply contracts offered (catalogue supply ids; "
        "default: every one in the catalogue)")
    grid_connection_cost: bool = Field(
        False, description="size the grid connection [MW] per site as a decision: connection "
        "capex [EUR/MW] + annual capacity tariff [EUR/MW/yr] on the contracted MW, the per-MWh "
        "network charge cut to its energy part (default: the connection is free up to "
        "grid_connection_mw)")


class Continuity(_Strict):
    """Supply continuity (``formulation.continuity``): backup that carries the peak facility
    load (IT peak x peak PUE) through a grid outage for ``autonomy_h`` hours with the chosen
    redundancy. N: backup >= the load; N+1: the largest unit (``unit_mw``) may fail; 2N: two
    complete systems, each carrying the load for the whole autonomy. ``technologies``: backup
    entries of the catalogue (``data/catalogue/backup.yaml``: diesel_genset, hvo_genset,
    gas_engine, battery = the site battery as UPS, whose reserved energy is then not used for
    arbitrage). Unset (default): no backup is modelled, as before."""

    autonomy_h: float = Field(gt=0, le=720, description="hours the backup must carry the "
                              "peak facility load [h], e.g. 0.25 (UPS ride-through) to 48 "
                              "(on-site fuel of a Tier III/IV-like design); 0-720")
    redundancy: Literal["N", "N+1", "2N"] = Field(
        "N+1", description="N: backup = load; N+1: load + the largest unit (unit_mw); "
        "2N: twice the load and twice the autonomy energy (two independent systems)")
    unit_mw: float | None = Field(None, gt=0, le=100, description="size of one backup unit "
                                  "[MW]: gensets come in units of this size and under N+1 "
                                  "one may fail (default: the largest unit_mw of the allowed "
                                  "technologies in the catalogue, 2.5 MW for a genset)")
    technologies: list[str] | None = Field(None, description="backup technologies allowed "
                                           "(catalogue backup ids; default: every one)")
    test_hours_per_yr: float | None = Field(None, ge=0, le=8760, description="test and "
                                            "start-up running hours per genset per year "
                                            "[h/yr], instead of the catalogue's")


class Horizon(_Strict):
    """Hours modelled: ``hours`` consecutive hours from ``start_hour``; annual figures are
    scaled by 8760 / hours (``weight_h``). The default is the full year."""

    start_hour: int = Field(0, ge=0, lt=8760, description="first modelled hour of the year "
                            "[h], 0-8759 (hour 0 = 1 January 00:00 UTC)")
    hours: int = Field(8760, ge=1, le=8760, description="number of consecutive hours "
                       "modelled [h], 1-8760; annual figures are scaled by 8760 / hours")
    typical_days: int | None = Field(
        None, ge=2, le=365, description="design on N representative days (tsam, extra "
        "'typical'), then re-evaluate the design hour by hour over the full year")

    @model_validator(mode="after")
    def _within_year(self) -> Horizon:
        if self.start_hour + self.hours > 8760:
            raise ValueError(
                f"start_hour + hours = {self.start_hour + self.hours} exceeds the 8760 h year"
            )
        if self.typical_days is not None and (self.start_hour != 0 or self.hours != 8760):
            raise ValueError(
                f"typical_days = {self.typical_days} aggregates the full year; it cannot be "
                f"combined with a cut horizon (start_hour = {self.start_hour}, hours = "
                f"{self.hours}); drop one of them"
            )
        return self


class SolverOptions(_Strict):
    mip_rel_gap: float = Field(1e-4, gt=0, lt=1, description="relative MIP gap at which "
                               "HiGHS stops [1], e.g. 1e-4 = 0.01 %")
    time_limit_s: Annotated[float | None, Plausible(1, 1e6, "meant ms?")] = Field(
        None, gt=0, description="time limit per MILP [s]; plausible 1-1e6")
    threads: int = Field(1, ge=1, le=64, description="HiGHS threads per solve, 1-64")
    strategy: Literal["auto", "benders", "decompose", "monolithic"] = Field(
        "auto", description="benders: design/dispatch decomposition (cost objective): "
        "with max_sites 1 every (site, cooling) in one search with a shared incumbent, "
        "with more one multi-cut decomposition over every site's model (not with a CFE "
        "target or emissions cap, which couple the sites' operation); "
        "decompose: one MILP per (site, cooling) with LP-bound pruning (needs max_sites 1); "
        "monolithic: one MILP; auto: benders for a cost objective, decompose for the "
        "lexicographic (emissions) objectives on one site, monolithic otherwise. "
        "Pareto fronts: auto and benders solve every point by the decomposition (cut pools "
        "kept from point to point), decompose by one MILP per candidate")
    workers: int = Field(2, ge=1, le=64, description="parallel worker processes (a local dask "
                         "cluster, greendc.engine) for the decomposition and the Pareto "
                         "front; 1: in process; ignored with --scheduler")
    primal_feasibility_tolerance: float | None = Field(
        None, gt=0, le=1e-2, description="HiGHS primal feasibility tolerance [in the rows' "
        "units: MW, EUR/yr, tCO2e/yr ...] (default: HiGHS's 1e-7)")
    dual_feasibility_tolerance: float | None = Field(
        None, gt=0, le=1e-2, description="HiGHS dual feasibility tolerance [objective units "
        "per column unit] (default: HiGHS's 1e-7)")
    log: bool = Field(False, description="print the HiGHS log (presolve, branch and bound) "
                      "to the console; `greendc -v` switches it on too")
    duals: bool = Field(True, description="compute shadow prices (CO2 cap [EUR/tCO2e], compute "
                        "[EUR/(PFLOP/s)/yr], grid connection [EUR/MW/yr]) from the LP of the "
                        "optimal design, see greendc.duals (one extra LP per design)")


class Scenario(_Strict):
    name: str = Field(min_length=1, description="scenario name; the default results folder "
                      "is results/<name>")
    description: str = Field("", description="free text shown in reports")
    sites: list[SiteRef] = Field(min_length=1, description="candidate sites: reference site "
                                 "ids or {id, file, facts} entries")
    servers: list[str] | None = Field(None, description="candidate server (node) types, "
                                      "catalogue ids (default: every one in the catalogue)")
    cooling: list[str] | None = Field(None, description="candidate cooling technologies, "
                                      "catalogue ids (default: every one in the catalogue)")
    compute: Compute = Field(description="compute to host")
    objective: Literal["cost", "emissions"] = Field(
        "cost", description="minimise annual cost [EUR/yr] or emissions [tCO2e/yr] (the "
        "other objective breaks ties)")
    emissions_scope: Literal["total", "operational"] = Field(
        "total", description="emissions the objective and the cap count: total (operational "
        "+ embodied) or operational only [tCO2e/yr]")
    emissions_cap_t_per_yr: Annotated[float | None, Plausible(0, 1e7, "meant kgCO2e/yr?")] = \
        Field(None, ge=0, description="emissions cap [tCO2e/yr]; plausible 0-1e7")
    min_cfe_share: float | None = Field(None, ge=0, le=1, description="24/7 carbon-free "
                                        "energy target: share of the load matched hour by "
                                        "hour with carbon-free supply, 0-1")
    max_sites: int = Field(1, ge=1, description="largest number of sites built")
    finance: Finance = Field(Finance(), description="discount rate, carbon price, price "
                             "scenarios")
    options: Options = Field(Options(), description="optional parts of the design and "
                             "accounting choices")
    sovereignty: Sovereignty = Field(Sovereignty(), description="sovereignty rules")
    continuity: Continuity | None = Field(None, description="supply continuity: backup "
                                          "generation and redundancy (default: none)")
    horizon: Horizon = Field(Horizon(), description="hours modelled")
    solver: SolverOptions = Field(SolverOptions(), description="HiGHS settings and solve "
                                  "strategy")
    pue_curves: dict[str, PueCurve] = Field(
        {}, description="design PUE curve per cooling id: points {dry_bulb_c [degC], pue [-]}, "
        "piecewise linear in the hourly outdoor temperature, constant beyond the end points; "
        "used instead of the physics model (a site file's pue_<cooling_id> wins at its site)")
    catalogue: list[str] = Field(
        [], description="own catalogue files (YAML, paths relative to the scenario file), "
        "layered over the built-in catalogue in order, a later file winning: new server types, "
        "cooling technologies, supply contracts and storage, or changed fields of built-in "
        "entries (see README 'Own technologies')")
    overrides: dict[str, Any] = Field(
        {}, description="catalogue values changed by dotted path, applied after the "
        "catalogue files, e.g. {servers.b200_node.price_eur: 380000} (unit kept)")
    data_dir: str | None = Field(
        None, description="deprecated: a full copy of the data folder (catalogue/ and "
        "sites/); use `catalogue:` files for technologies and sites[].file for site series")
    commissioning_year: int | None = Field(
        None, ge=1990, le=2100, description="year the campus must be in service [yr]; sites "
        "whose grid connection can only be delivered later (site fact grid_connection_year) "
        "are excluded before the solve (default: no queue)")
    data_year: int | None = Field(
        None, ge=1990, le=2100, description="grid data year of every site file (reference "
        "sites: data/sites/<site>_<year>.nc, see `greendc data list`); default 2018")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        """The default results folder is ``results/<name>``: a name must not be a path."""
        if any(c in value for c in "/\\") or ".." in value or any(ord(c) < 32 for c in value) \
                or value.strip() in ("", "."):
            raise ValueError("a scenario name may not contain path separators ('/', '\\'), "
                             "'..' or control characters (the results folder results/<name> "
                             "is derived from it); use letters, digits, '-', '_' and '.'")
        return value

    @field_validator("sites", mode="before")
    @classmethod
    def _site_ids(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _unique_sites(self) -> Scenario:
        ids = [s.id for s in self.sites]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"sites listed twice: {dup}")
        return self

    @model_validator(mode="after")
    def _it_load_rules(self) -> Scenario:
        if self.compute.it_load_mw is None:
            return self
        if self.max_sites != 1:
            raise ValueError(f"max_sites = {self.max_sites}: a given compute.it_load_mw is "
                             "hosted at one site; use max_sites 1 or required_pflops")
        if self.servers is not None:
            raise ValueError("servers applies to required_pflops; with compute.it_load_mw "
                             "name one type as compute.server (or none)")
        if self.compute.server is None and self.sovereignty.max_non_eu_hardware_share < 1:
            raise ValueError("sovereignty.max_non_eu_hardware_share needs the servers' vendor, "
                             "but compute.it_load_mw without compute.server models no servers; "
                             "set compute.server")
        return self

    @model_validator(mode="after")
    def _flexibility_rules(self) -> Scenario:
        flex = self.compute.flexibility
        if flex is not None and flex.period == "week" and self.horizon.typical_days is not None:
            raise ValueError(
                f"compute.flexibility.period = week needs consecutive hours, but horizon."
                f"typical_days = {self.horizon.typical_days} models separate days; use "
                "period: day or drop typical_days")
        return self

    def digest(self) -> str:
        """Stable hash of the resolved scenario (provenance, batch case ids)."""
        # fields added later enter the hash only when set, so unchanged scenarios keep theirs
        dump = self.model_dump(mode="json")
        for dotted, default in DIGEST_OMITS_DEFAULT.items():
            *parents, key = dotted.split(".")
            nodes = [dump]
            for parent in parents:  # "sites[]": every member of the list
                nodes = ([m for n in nodes for m in n[parent[:-2]]] if parent.endswith("[]")
                         else [n[parent] for n in nodes])
            for node in nodes:
                if key in node and (default is ANY or node[key] == default):
                    del node[key]
        blob = json.dumps(dump, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# Fields left out of the digest at their default (added after scenario hashes were first
# recorded; batch case ids derive from them) or always (ANY: the console log changes no
# result).
ANY = object()
DIGEST_OMITS_DEFAULT = {"data_year": None, "solver.primal_feasibility_tolerance": None,
                        "solver.dual_feasibility_tolerance": None, "solver.log": ANY,
                        "solver.duals": True, "compute.it_load_mw": None,
                        "compute.flexibility": None,
                        "compute.server": None, "pue_curves": {}, "catalogue": [],
                        "options.ppa": True, "options.battery_type": "battery",
                        "continuity": None,
                        "options.grid_connection_cost": False, "commissioning_year": None,
                        **{f"sites[].{key}": None for key in (
                            "country", "eu_member", "eea_member", "eu_adequacy_decision")}}


def folder_name(name: str) -> str:
    """A results-folder name derived from a scenario or batch name: only letters, digits,
    '-', '_' and '.' (others become '_'), never empty, never starting with '.'."""
    safe = re.sub(r"[^\w.-]+", "_", name, flags=re.ASCII).strip("._")
    return safe or "scenario"


class LoadedScenario(BaseModel):
    """A validated scenario plus where it came from (for relative paths and messages)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    scenario: Scenario
    origin: str
    base_dir: pathlib.Path


def _percent_hints(raw: dict[str, Any]) -> list[str]:
    """Spot shares given as percentages (80 instead of 0.8) before pydantic's generic message."""
    hints = []
    checks = {
        ("compute", "utilisation_share"), ("sovereignty", "max_non_eu_hardware_share"),
        ("sovereignty", "max_non_eu_ownership_share"), ("finance", "discount_rate"),
    }
    for section, key in sorted(checks):
        value = (raw.get(section) or {}).get(key) if isinstance(raw.get(section), dict) else None
        if isinstance(value, int | float) and 1 < value <= 100:
            hints.append(f"{section}.{key} = {value}: expected a fraction in [0, 1]; "
                         f"did you mean {value / 100:g}?")
    value = raw.get("min_cfe_share")
    if isinstance(value, int | float) and 1 < value <= 100:
        hints.append(f"min_cfe_share = {value}: expected a fraction in [0, 1]; "
                     f"did you mean {value / 100:g}?")
    return hints


def scenario_from_dict(
    raw: Any, origin: str = "<scenario>", base_dir: pathlib.Path | None = None
) -> LoadedScenario:
    """Validate a scenario given as a dict; errors name ``origin`` and the dotted field."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"{origin}: expected a mapping of scenario fields, got {type(raw).__name__}")
    hints = _percent_hints(raw)
    nonfinite: list[str] = []
    _check_numbers_finite(raw, origin, found=nonfinite)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        lines = format_validation_error(exc, origin, prefix="", model=Scenario).split("\n")
        # a NaN/inf is reported once, as "expected a finite number"
        lines = [ln for ln in lines if not any(ln.startswith(f"{n.split(' = ')[0]} = ")
                                               for n in nonfinite)]
        text = "\n".join(nonfinite + lines)
        if hints:
            text += "\n" + "\n".join(f"{origin}: {h}" for h in hints)
        raise ScenarioError(text) from None
    if hints or nonfinite:
        raise ScenarioError("\n".join(nonfinite + [f"{origin}: {h}" for h in hints]))
    check_plausible(scenario, origin, ScenarioError)
    return LoadedScenario(scenario=scenario, origin=origin, base_dir=base_dir or pathlib.Path.cwd())


def _check_numbers_finite(raw: Any, origin: str, path: str = "",
                          found: list[str] | None = None) -> None:
    """Collect (into ``found``) or raise a line for every NaN / infinite number."""
    if isinstance(raw, float) and not math.isfinite(raw):
        line = f"{origin}: {path} = {raw}: expected a finite number"
        if found is None:
            raise ScenarioError(line)
        found.append(line)
    if isinstance(raw, dict):
        for k, v in raw.items():
            _check_numbers_finite(v, origin, f"{path}.{k}" if path else str(k), found)
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            _check_numbers_finite(v, origin, f"{path}.{i}" if path else str(i), found)


def load_scenario(path: str | pathlib.Path) -> LoadedScenario:
    """Read and validate a scenario YAML file (or a built-in study by name, ``study_path``)."""
    from greendc.resources import study_path

    path = study_path(path)
    raw = load_yaml(path, ScenarioError)
    return scenario_from_dict(raw, origin=str(path), base_dir=path.resolve().parent)


def load_scenario_text(text: str, origin: str = "<string>") -> LoadedScenario:
    return scenario_from_dict(parse_yaml(text, origin, ScenarioError), origin=origin)


def with_overrides(loaded: LoadedScenario, changes: dict[str, Any],
                   origin: str | None = None) -> LoadedScenario:
    """A copy of the scenario with dotted-path changes, e.g. ``{"objective": "emissions",
    "sovereignty.allowed_jurisdictions": ["EU"], "sites.0.file": "my.csv"}``; re-validated
    like the file (an unknown field is an error with "did you mean"). A path through a value
    that is not a section (``objective.x``) or past the end of a list is a ScenarioError.
    Catalogue values go through ``overrides.<catalogue path>`` (the rest is one key).
    ``origin`` names where the changes come from in messages (e.g. ``--set``)."""
    raw = loaded.scenario.model_dump(mode="json", exclude_unset=True)
    full = loaded.scenario.model_dump(mode="json")  # defaults too: what each path holds
    where = f"{loaded.origin} ({origin})" if origin else loaded.origin
    for dotted, value in changes.items():
        if dotted.startswith("overrides."):  # catalogue paths contain dots themselves
            raw.setdefault("overrides", {})[dotted.removeprefix("overrides.")] = value
            continue
        _set_path(raw, full, dotted, value, where)
    return scenario_from_dict(raw, where, loaded.base_dir)


def _set_path(raw: dict, full: dict, dotted: str, value: Any, where: str) -> None:
    keys = dotted.split(".")
    if not all(keys):
        raise ScenarioError(f"{where}: {dotted!r}: expected a dotted field path such as "
                            "compute.required_pflops")
    node: Any = raw
    for depth, key in enumerate(keys[:-1]):
        here = ".".join(keys[:depth + 1])
        if isinstance(node, list):
            index = _list_index(node, key, here, where)
            node, full = node[index], full[index] if isinstance(full, list) else {}
            continue
        known = full.get(key) if isinstance(full, dict) else None
        if known is not None and not isinstance(known, (dict, list)):
            raise ScenarioError(f"{where}: {dotted} = {value!r}: {here} is a value "
                                f"({known!r}), not a section with fields")
        child = node.get(key)
        if child is None:  # unset section (validation names an unknown field)
            child = node[key] = [dict(x) if isinstance(x, dict) else x for x in known] \
                if isinstance(known, list) else {}
        node, full = child, known if known is not None else {}
    if isinstance(node, list):
        node[_list_index(node, keys[-1], dotted, where)] = value
    else:
        node[keys[-1]] = value


def _list_index(node: list, key: str, here: str, where: str) -> int:
    if not key.isdigit() or int(key) >= len(node):
        raise ScenarioError(f"{where}: {here}: expected a list position 0-{len(node) - 1}")
    index = int(key)
    if isinstance(node[index], str):
        node[index] = {"id": node[index]}  # a site given by its id
    return index


def parse_assignments(items: list[str] | None, origin: str = "--set") -> dict[str, Any]:
    """``["compute.required_pflops=10000", "objective=emissions"]`` -> dotted changes, each
    value parsed as YAML (``10000`` a number, ``[EU, EEA]`` a list, ``true`` a bool)."""
    changes: dict[str, Any] = {}
    for item in items or []:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise ScenarioError(f"{origin} {item!r}: expected FIELD=VALUE, e.g. "
                                "compute.required_pflops=10000")
        value = parse_yaml(text, f"{origin} {path.strip()}", ScenarioError) \
            if text.strip() else ""
        if isinstance(value, str) and re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+",
                                                   value.strip()):
            value = float(value)  # YAML 1.1 reads 1e4 (no dot) as a string
        changes[path.strip()] = value
    return changes
