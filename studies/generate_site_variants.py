"""Generate the many-sites benchmark study (studies/many_sites.yaml): >= 30 candidate sites.

The eight reference sites of data/catalogue/sites.yaml (2018 files in data/sites/) plus
``VARIANTS_PER_SITE`` GENERATED variants of each: alternative plots in the same bidding zone
as their reference site. A variant shares the reference site's hourly file (weather, grid
carbon intensity, day-ahead price, heat demand: all zone- or city-wide series), given as
``file: ../data/sites/<reference>_2018.nc``, and has its own planning facts: the reference
site's entry with the plot-specific facts of ``RANGES`` drawn at random, each as a factor
(or an offset, for the queue year) on the reference value, uniformly within the range stated
there and in data/SOURCES.md (``generated_site_variant``). Zone- or country-wide facts
(network charges, levies, capacity tariff, supply margin, water basin allowance, ownership,
legal exposures, voltage level, lifetimes) are copied unchanged.

Seeded and reproducible: ``python studies/generate_site_variants.py [--seed 17] [--out
studies/many_sites.yaml]`` writes the same file for the same seed (numpy's PCG64
``default_rng``); the committed file is its output for the default seed
(tests/test_many_sites.py checks that, and that every generated fact is inside its range and
inside the plausibility guards of ``greendc.catalogue.SiteFacts``).

The study is otherwise the reference study (every cooling, every server, continuity 12 h N+1,
grid connection cost on) with ``max_sites: 2``: the benchmark of issue 17 part 5
(benchmarks/many_sites.py).
"""

from __future__ import annotations

import argparse
import copy
import pathlib
from typing import Any

import numpy as np
import yaml

from greendc.resources import CATALOGUE_DIR, STUDIES_DIR

DEFAULT_SEED = 17
VARIANTS_PER_SITE = 3
DATA_YEAR = 2018  # the reference study's (default) data year; the variants share that file
SOURCE = "generated_site_variant"  # data/SOURCES.md
OUT = STUDIES_DIR / "many_sites.yaml"
REFERENCE_STUDY = STUDIES_DIR / "reference_sites.yaml"

# fact -> (kind, low, high, rounding step): "factor" draws value = reference x U(low, high),
# "offset" value = reference + an integer in [low, high]; rationale in data/SOURCES.md.
RANGES: dict[str, tuple[str, float, float, float]] = {
    "grid_connection_mw": ("factor", 0.3, 1.5, 5.0),            # MW
    "grid_connection_year": ("offset", -1, 2, 1.0),             # yr
    "grid_connection_capex_eur_per_mw": ("factor", 0.8, 1.5, 5000.0),  # EUR/MW
    "site_fixed_cost_eur_per_yr": ("factor", 0.6, 1.8, 10000.0),  # EUR/yr
    "floor_area_m2": ("factor", 0.5, 1.25, 500.0),              # m2
    "heat_price_eur_per_mwh": ("factor", 0.8, 1.2, 0.5),        # EUR/MWh_th
    "supply_potential_mw.solar_ppa": ("factor", 0.5, 1.0, 5.0),  # MW
    "supply_potential_mw.wind_ppa": ("factor", 0.5, 1.0, 5.0),   # MW
    "supply_potential_mw.solar_onsite": ("factor", 0.4, 2.0, 0.5),  # MW
}
# A plot away from the heating network: probability that a variant of a site WITH district
# heating has none (a variant never gains a network its reference site lacks).
NO_HEATING_NETWORK_PROBABILITY = 0.4


def reference_sites() -> dict[str, dict[str, Any]]:
    """The catalogue entries of the reference sites, in catalogue order."""
    return yaml.safe_load((CATALOGUE_DIR / "sites.yaml").read_text(encoding="utf-8"))


def _get(facts: dict, dotted: str) -> dict:
    node = facts
    for key in dotted.split("."):
        node = node[key]
    return node


def bounds(reference: dict[str, Any], dotted: str) -> tuple[float, float]:
    """The range [low, high] of a generated fact around the reference site's value."""
    kind, low, high, _ = RANGES[dotted]
    ref = float(_get(reference, dotted)["value"])
    return (ref + low, ref + high) if kind == "offset" else (ref * low, ref * high)


def _draw(rng: np.random.Generator, reference: dict[str, Any], dotted: str) -> float:
    kind, low, high, step = RANGES[dotted]
    ref = float(_get(reference, dotted)["value"])
    if kind == "offset":
        return ref + int(rng.integers(int(low), int(high) + 1))
    lo, hi = bounds(reference, dotted)
    value = round(ref * rng.uniform(low, high) / step) * step
    return float(min(max(value, lo), hi))  # rounding never leaves the range


def variant_facts(rng: np.random.Generator, ref_id: str, reference: dict[str, Any],
                  k: int) -> dict[str, Any]:
    """The reference entry with the plot-specific facts drawn (``RANGES``)."""
    facts = copy.deepcopy(reference)
    facts["name"] = f"{reference['name']}: generated variant {k}"
    for dotted, (_, _, _, step) in RANGES.items():
        value = _draw(rng, reference, dotted)
        node = _get(facts, dotted)
        node["value"] = int(value) if float(step).is_integer() else value
        node["source"] = SOURCE
    if reference.get("district_heating_available", True):
        facts["district_heating_available"] = bool(
            rng.uniform() >= NO_HEATING_NETWORK_PROBABILITY)
    return facts


def variants(seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """Scenario entries {id, file, facts} of the generated variants, reference by reference."""
    rng = np.random.default_rng(seed)
    out = []
    for ref_id, reference in reference_sites().items():
        for k in range(1, VARIANTS_PER_SITE + 1):
            out.append({"id": f"{ref_id}-v{k}",
                        "file": f"../data/sites/{ref_id}_{DATA_YEAR}.nc",
                        "facts": variant_facts(rng, ref_id, reference, k)})
    return out


def study(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The many-sites scenario: the reference study with every cooling and server, the eight
    reference sites and their generated variants, ``max_sites: 2``."""
    raw = yaml.safe_load(REFERENCE_STUDY.read_text(encoding="utf-8"))
    raw["name"] = "many_sites"
    raw["description"] = (
        f"Benchmark (issue 17 part 5): the reference study with {len(reference_sites())} "
        f"reference sites and {VARIANTS_PER_SITE} GENERATED variants of each (alternative plots "
        "in the same bidding zone, sharing its hourly file, with their own planning facts "
        "drawn by studies/generate_site_variants.py), up to two sites built.")
    raw["sites"] = list(reference_sites()) + variants(seed)
    raw["max_sites"] = 2
    raw.pop("cooling", None)  # every cooling and server of the catalogue
    raw.pop("servers", None)
    return raw


def render(seed: int = DEFAULT_SEED) -> str:
    """The YAML text of the study, with the header that says it is generated."""
    header = (f"# GENERATED by studies/generate_site_variants.py --seed {seed}; do not edit by "
              "hand, re-run the script.\n"
              "# Sites '<reference>-v<k>' are generated variants (alternative plots in the "
              "reference site's bidding zone,\n# sharing its hourly file; facts with source "
              f"'{SOURCE}' drawn within the ranges of data/SOURCES.md).\n")
    return header + yaml.safe_dump(study(seed), sort_keys=False, allow_unicode=True, width=100,
                                   default_flow_style=None)


def out_of_range(raw: dict[str, Any]) -> list[str]:
    """Generated facts of a study outside their stated range (empty when all are inside)."""
    refs = reference_sites()
    problems = []
    for site in raw["sites"]:
        if isinstance(site, str):
            continue
        reference = refs[site["id"].rsplit("-v", 1)[0]]
        for dotted in RANGES:
            value = float(_get(site["facts"], dotted)["value"])
            lo, hi = bounds(reference, dotted)
            if not lo <= value <= hi:
                problems.append(f"{site['id']}: {dotted} = {value} outside [{lo}, {hi}]")
        if site["facts"]["district_heating_available"] and not reference.get(
                "district_heating_available", True):
            problems.append(f"{site['id']}: district heating where its reference has none")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args(argv)
    text = render(args.seed)
    problems = out_of_range(yaml.safe_load(text))
    if problems:
        raise SystemExit("generated facts outside their ranges:\n" + "\n".join(problems))
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(yaml.safe_load(text)['sites'])} candidate sites (seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
