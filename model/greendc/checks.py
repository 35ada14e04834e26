"""Checks on the prepared inputs, before any model is built.

They catch what the scenario and file validation cannot see alone: a cooling model whose
parameters give PUE < 1, a heat pump with COP <= 1, an emissions cap below what the servers
alone emit, a compute requirement that no allowed server/cooling pair can host, sovereignty
rules or a connection queue (``commissioning_year``) that exclude every candidate site. Every
problem is reported at once, in planner's words.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from greendc.errors import DataError, ScenarioError


def _first(mask: xr.DataArray) -> dict:
    stacked = mask.stack(cell=mask.dims)
    cell = stacked.where(stacked, drop=True).cell.values[0]
    return dict(zip(mask.dims, cell if isinstance(cell, tuple) else (cell,)))


def hostable(inputs: xr.Dataset) -> xr.DataArray:
    """Coolings (``cooling``, bool) that can host the compute: some server type fits their
    racks; with a given IT load and no server types (``compute.it_load_mw``) every cooling
    (racks follow from its rack density)."""
    if inputs.sizes["server"] == 0:
        return xr.ones_like(inputs["floor_m2_per_rack"], dtype=bool)
    return (inputs["nodes_per_rack"] > 0).any("server")


def check_names(loaded, cat, sites: dict[str, xr.Dataset]) -> None:
    """Names in the scenario that refer to the data must exist there (a misspelt legal regime
    would silently exclude nothing): ``sovereignty.exclude_legal_exposures`` against every
    regime of the catalogue's site facts, the candidate site files and the reference sites."""
    from greendc.catalogue import did_you_mean
    from greendc.resources import SITES_DIR

    wanted = loaded.scenario.sovereignty.exclude_legal_exposures
    if not wanted:
        return
    known = {x for facts in cat.sites.values() for x in facts.legal_exposures}
    attrs = [ds.attrs for ds in sites.values()]
    for path in sorted(SITES_DIR.glob("*.nc")):
        with xr.open_dataset(path) as ds:
            attrs.append(dict(ds.attrs))
    for a in attrs:
        known |= {x.strip() for x in str(a.get("legal_exposures", "")).split(",") if x.strip()}
    bad = [f"{loaded.origin}: sovereignty.exclude_legal_exposures[{i}] = {name!r}: unknown "
           f"legal regime; {did_you_mean(name, known)}known regimes: {sorted(known)}"
           for i, name in enumerate(wanted) if name not in known]
    if bad:
        raise ScenarioError("\n".join(bad))


def check_physics(inputs: xr.Dataset, origin: str) -> None:
    """PUE >= 1 and COP > 1 everywhere; finite hourly parameters."""
    problems = []
    pue = inputs["pue"]
    if not np.isfinite(pue.values).all():
        where = _first(~np.isfinite(pue))
        problems.append(f"{origin}: hourly PUE is not finite at {where}: check the cooling "
                        "parameters and the site's temperature and humidity")
    elif (pue < 1.0).any():
        where = _first(pue < 1.0)
        problems.append(f"{origin}: PUE = {float(pue.sel(where)):.4f} < 1 at {where}: PUE is "
                        "facility / IT power and cannot be below 1; check the cooling parameters")
    cop = inputs["heat_pump_cop"]
    if (cop <= 1.0).any() or not np.isfinite(cop.values).all():
        bad = (cop <= 1.0) | ~np.isfinite(cop)
        where = _first(bad)
        problems.append(f"{origin}: heat-pump COP = {float(cop.sel(where)):.4g} at {where}: "
                        "expected COP > 1 (heat out / electricity in); check heat.heat_pump "
                        "carnot_efficiency and cop_max")
    if problems:
        raise DataError("\n".join(problems))


def check_feasibility_hints(inputs: xr.Dataset, origin: str, cap_t: float | None,
                            scope: str) -> None:
    """Cheap proofs of infeasibility: the study cannot succeed, whatever the solver does."""
    problems = []
    fits = (inputs["nodes_per_rack"] > 0).any("cooling")
    hardware_ok = inputs["node_non_eu"] <= inputs.attrs["max_non_eu_hardware_share"]
    if inputs.sizes["server"] == 0:
        pass  # a given IT load without servers: any cooling hosts it (``hostable``)
    elif not bool(fits.any()):
        problems.append(f"{origin}: no server type fits the racks of any candidate cooling "
                        "(node power above every cooling's max rack density, or "
                        "compatible_cooling lists none of them); no compute can be hosted")
    elif inputs.attrs["max_non_eu_hardware_share"] <= 0 and not bool((fits & hardware_ok).any()):
        problems.append(f"{origin}: sovereignty.max_non_eu_hardware_share = 0 but every server "
                        "type that fits a candidate cooling comes from a non-EU vendor")
    climate = climate_exclusions(inputs)
    if climate and len(climate) == int(hostable(inputs).sum()) * inputs.sizes["site"]:
        problems.append(f"{origin}: every candidate cooling is a chiller-less design whose "
                        "climate limit the sites' weather exceeds, so no design is possible "
                        "(add a cooling with a chiller, or raise max_dry_bulb_c if the IT "
                        "equipment allows it):")
        problems += [f"  {line}" for line in climate]
    problems += [f"{origin}: {line}" for line in continuity_problems(inputs)]
    gate_problems = _site_gates(inputs)
    if gate_problems:
        queue = bool(queue_exclusions(inputs))
        problems.append(f"{origin}: " + (
            "every candidate site is excluded (sovereignty rules, or a grid connection that "
            "comes after the commissioning year), so no design is possible:" if queue else
            "the sovereignty rules exclude every candidate site, so no design is possible:"))
        problems += gate_problems
    # with the heat credit switched on, avoided emissions can offset the servers' embodied
    # emissions, so their sum is no floor
    credit = bool(int(inputs.attrs.get("credit_avoided_heat_emissions", 0)))
    if cap_t is not None and scope == "emissions" and not credit \
            and "required_pflops" in inputs.attrs:
        per_pflops = inputs["node_embodied_t_per_yr"] / inputs["node_performance_pflops"]
        floor = float(per_pflops.where(fits).min()) * float(inputs.attrs["required_pflops"])
        if cap_t < floor:
            problems.append(
                f"{origin}: emissions_cap_t_per_yr = {cap_t:,.6g} tCO2e/yr is below the "
                f"physical minimum {floor:,.6g} tCO2e/yr: the embodied emissions of the "
                "servers alone (lowest embodied per PFLOP/s, annualised), before any energy")
    if problems:
        raise ScenarioError("\n".join(problems))


def continuity_problems(inputs: xr.Dataset) -> list[str]:
    """Why the ``continuity`` requirement cannot be met by the allowed backup, in planner's
    words (empty when it can or continuity is off): no genset allowed and the battery
    unavailable; a battery-only N+1 backup whose unit (``unit_mw``) plus any load exceeds
    what the battery may be at every site (its power is bounded by the grid connection)."""
    if "continuity_autonomy_h" not in inputs.attrs:
        return []
    allowed = [x for x in str(inputs.attrs.get("continuity_technologies", "")).split(",") if x]
    gensets = inputs.sizes.get("backup", 0)
    battery = bool(int(inputs.attrs.get("continuity_battery", 0)))
    if gensets == 0 and not battery:
        why = ("options.battery is false" if len(allowed) > gensets
               else "no backup technology is allowed")
        return [f"continuity.technologies = {allowed} leaves only the site battery as backup, "
                f"but {why}: no backup can carry the load through an outage (allow a genset, "
                "e.g. diesel_genset or hvo_genset, or set options.battery: true)"]
    unit = float(inputs.attrs["continuity_unit_mw"])
    conn = inputs["grid_connection_mw"].values
    if gensets == 0 and inputs.attrs["continuity_redundancy"] == "N+1" and (unit >= conn).all():
        return [f"continuity: battery-only N+1 backup needs battery power of the load plus one "
                f"unit of continuity.unit_mw = {unit:g} MW, but the battery may not exceed the "
                f"grid connection ({', '.join(f'{v:g}' for v in conn)} MW): lower unit_mw or "
                "allow a genset"]
    return []


def climate_exclusions(inputs: xr.Dataset, site=None) -> list[str]:
    """One sentence per (site, hostable cooling) excluded by a chiller-less cooling's climate
    limit (``climate_limit_hours`` > 0), in domain words; ``site`` restricts to one site."""
    if "climate_limit_hours" not in inputs:
        return []
    fits = hostable(inputs)
    lines = []
    for s in inputs.site.values if site is None else [site]:
        for c in inputs.cooling.values:
            hours = float(inputs["climate_limit_hours"].sel(site=s, cooling=c))
            if hours <= 0 or not bool(fits.sel(cooling=c)):
                continue
            limit = float(inputs["climate_max_dry_bulb_c"].sel(cooling=c))
            t_max = float(inputs["climate_max_air_temperature_c"].sel(site=s))
            lines.append(f"site {s}: chiller-less cooling {c} needs outdoor air at or below "
                         f"max_dry_bulb_c = {limit:g} degC, but the site's weather exceeds it "
                         f"in {hours:.0f} h of the year (max {t_max:.1f} degC)")
    return lines


def _site_gates(inputs: xr.Dataset) -> list[str]:
    """One line per site when the site gates (jurisdiction, legal exposure, operator
    ownership, connection queue) exclude every candidate site; empty when at least one site
    passes."""
    needed = ("site_jurisdiction_allowed", "site_legal_exposure_excluded",
              "site_non_eu_ownership_share")
    if not all(v in inputs for v in needed):
        return []
    max_own = float(inputs.attrs.get("max_non_eu_ownership_share", 1.0))
    queued = queue_exclusions(inputs)
    lines = []
    for s in inputs.site.values:
        why = []
        if float(inputs["site_jurisdiction_allowed"].sel(site=s)) < 1:
            country = (str(inputs["site_country"].sel(site=s).values)
                       if "site_country" in inputs else "?")
            why.append(f"country {country} is not in sovereignty.allowed_jurisdictions")
        if float(inputs["site_legal_exposure_excluded"].sel(site=s)) > 0:
            why.append("exposed to a regime in sovereignty.exclude_legal_exposures")
        own = float(inputs["site_non_eu_ownership_share"].sel(site=s))
        if own > max_own:
            why.append(f"operator non-EU ownership share {own:g} > "
                       f"sovereignty.max_non_eu_ownership_share {max_own:g}")
        if str(s) in queued:
            why.append(queued[str(s)])
        if not why:
            return []
        lines.append(f"  site {s}: " + "; ".join(why))
    return lines


def queue_exclusions(inputs: xr.Dataset) -> dict[str, str]:
    """Site -> why it is excluded by the connection queue (``commissioning_year``), in domain
    words; empty without a commissioning year or when every connection comes in time."""
    if "site_connection_in_time" not in inputs:
        return {}
    year = int(inputs.attrs["commissioning_year"])
    return {str(s): f"grid connection year {int(inputs['site_connection_year'].sel(site=s))} "
                    f"is after the commissioning year {year} (site fact grid_connection_year)"
            for s in inputs.site.values
            if float(inputs["site_connection_in_time"].sel(site=s)) < 1}
