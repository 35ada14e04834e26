"""Seed-article table: training footprints, reproduced, then moved to each reference site.

The article quotes three training footprints; the first is GPT-3 as estimated by Patterson
et al. 2021 (10,000 V100 at 330 W measured average, 14.8 days, PUE 1.1, 0.429 kgCO2e/kWh).
This study (1) reproduces that row from Patterson's inputs, (2) runs the same training at
every reference site on the hourly PUE of a cooling technology and the hourly grid carbon
intensity (grid electricity only, default data year), and (3) optionally at an optimised
design (``--design``: a results folder of ``greendc run``), whose PPAs and battery lower the effective intensity.

Run:  python studies/seed_table.py [--design results/reference_sites] [--out results/seed_table]
"""

from __future__ import annotations

import pathlib

import pandas as pd
import typer
import xarray as xr

from greendc.resources import DATA_DIR
from greendc.footprint import footprint_at_design, footprint_at_site
from greendc.physics.carbon import Workload, workload_emissions_t, workload_energy_mwh
from greendc.sitedata.files import DEFAULT_DATA_YEAR
from greendc.sitedata.files import catalogue as reference_sites

ARTICLE = [  # (model, training MWh, tCO2e) as quoted by the source article
    ("large language model, 175B parameters", 1287.0, 552.0),
    ("vision model", 626.0, 284.0),
    ("small multimodal model", 312.0, 142.0),
]
GPT3 = Workload("GPT-3 (Patterson et al. 2021)", accelerators=10_000, power_w=330.0,
                hours=14.8 * 24)
COOLINGS = ("free_air", "immersion")
STARTS = {"January": 0, "July": 4344}  # the 14.8-day run starting 1 January or 1 July (UTC)


def seed_table(design: pathlib.Path | None = None) -> pd.DataFrame:
    """All rows of the study as a DataFrame (energy MWh, emissions tCO2e, tCO2e/MWh)."""
    rows = [dict(case="article", model=m, where="as quoted", energy_mwh=e, emissions_t=t)
            for m, e, t in ARTICLE]
    energy = workload_energy_mwh(GPT3, 1.1)
    rows.append(dict(case="reproduced", model=GPT3.name,
                     where="PUE 1.1, 429 gCO2e/kWh (Patterson inputs)", energy_mwh=energy,
                     emissions_t=workload_emissions_t(energy, 429.0)))
    for site in reference_sites(DATA_DIR / "sites"):  # one row set per site, default year
        for cooling in COOLINGS:
            for month, start in STARTS.items():
                e, t = footprint_at_site(GPT3, site, cooling, start_hour=start)
                rows.append(dict(case="reference site", model=GPT3.name,
                                 where=f"{site} {DEFAULT_DATA_YEAR} / {cooling}, {month}, grid only",
                                 energy_mwh=e, emissions_t=t))
    if design is not None:
        results = xr.load_dataset(design / "results.nc")
        e, t = footprint_at_design(GPT3, results)
        rows.append(dict(case="optimised design", model=GPT3.name,
                         where=f"{design.name}: {results.attrs.get('scenario', '')}",
                         energy_mwh=e, emissions_t=t))
    table = pd.DataFrame(rows)
    table["t_per_mwh"] = table["emissions_t"] / table["energy_mwh"]
    return table


def main(design: pathlib.Path = typer.Option(None, help="results folder of `greendc run`"),
         out: pathlib.Path = typer.Option(pathlib.Path("results/seed_table"),
                                          help="folder for seed_table.csv / .txt")) -> None:
    table = seed_table(design)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "seed_table.csv", index=False)
    text = table.to_string(index=False, formatters={
        "energy_mwh": "{:,.1f}".format, "emissions_t": "{:,.1f}".format,
        "t_per_mwh": "{:.3f}".format})
    (out / "seed_table.txt").write_text(text + "\n", encoding="utf-8")
    typer.echo(text)
    typer.echo(f"\nwritten: {out / 'seed_table.csv'}")


if __name__ == "__main__":
    typer.run(main)
