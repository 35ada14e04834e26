"""``greendc report DIR``: figures (PNG) + report.html (images embedded) + report.md.

Reads ``DIR/results.nc`` (from ``greendc run``) and, when present, ``DIR/front.nc`` (from
``greendc pareto``); or, for a ``greendc batch`` folder, its ``cases.csv``. One report model
(``Report``: title, warning, design table, figures, tables, provenance) is rendered by the
jinja2 templates in ``greendc/report/templates/`` to HTML (autoescaped: names from the scenario
are text, never markup) and to Markdown. ``report.html``, ``report.md`` and ``figures/`` are
swapped into the folder together (``greendc.atomic.folder``): an interrupted report leaves the
previous one intact, and a re-run leaves no figure of an earlier report behind.
"""

from __future__ import annotations

import base64
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any, Callable

import jinja2
import matplotlib.pyplot as plt
import xarray as xr

from greendc import atomic
from greendc.errors import DataError
from greendc.report import plots
from greendc.results import summary, summary_rows, table_number


@dataclass
class Figure:
    title: str
    file: str                      # name inside figures/
    make: Callable[[], Any]        # returns a matplotlib figure
    base64: str = ""               # PNG bytes for the HTML, filled when rendered


@dataclass
class Table:
    title: str
    id: str
    head: list[str]
    rows: list[list[str]]


@dataclass
class Notice:
    title: str
    text: str


@dataclass
class Report:
    """What a report says, independent of its format."""

    title: str
    design: list[tuple[str, str]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warning: Notice | None = None
    provenance: str = ""
    design_title: str = "Chosen design"


def _md(value: Any) -> str:
    """A Markdown table cell or heading: no markup, no line break, no column separator."""
    text = " ".join(str(value).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        "|", "\\|")


ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("greendc.report", "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                        default_for_string=False),
    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
ENV.filters["md"] = _md


def results_report(folder: pathlib.Path) -> Report:
    """The report of a ``greendc run`` / ``greendc pareto`` folder."""
    res = xr.load_dataset(folder / "results.nc")
    front = xr.load_dataset(folder / "front.nc") if (folder / "front.nc").exists() else None
    info = summary(res)
    figures = [Figure("Cost breakdown", "cost.png", lambda: plots.cost_breakdown(res)),
               Figure("Emissions breakdown", "emissions.png",
                      lambda: plots.emissions_breakdown(res)),
               Figure("Hourly dispatch", "dispatch.png", lambda: plots.dispatch_heatmaps(res)),
               Figure("Energy balance as modelled (per month, or per day on a short horizon)",
                      "monthly.png",
                      lambda: plots.monthly_energy_balance(res))]
    if "candidate_pue" in res:
        figures.append(Figure("PUE duration curves per cooling and site", "pue.png",
                              lambda: plots.pue_duration_curves(res)))
    tables = []
    if front is not None:
        figures.insert(0, Figure("Pareto front", "pareto.png", lambda: plots.pareto_plot(front)))
        head, rows = _front_rows(front)
        tables.append(Table("Pareto front points", "front-table", head, rows))
    rob = _robustness_table(folder)  # written by `greendc robustness`
    if rob is not None:
        tables.append(rob)
    provenance = {"annual_basis": info["annual_basis"], "horizon": info["horizon"],
                  **info["provenance"]}
    if front is None:
        solver = info["solver"]
        warning = None if solver["proven_optimal"] else Notice(
            "Not proven optimal", f"solver status {solver['status']}, relative MIP gap "
            f"{solver['mip_gap']}")
        return Report(title=f"greendc report: {info['scenario']}", design=summary_rows(info),
                      figures=figures, tables=tables, warning=warning,
                      provenance=json.dumps(provenance, indent=2, default=atomic._json_default))
    provenance["front"] = {k: front.attrs.get(k) for k in ("scope", "points_requested",
                                                             "seconds")}
    provenance["front"]["points_missing"] = json.loads(front.attrs.get("points_missing", "[]"))
    return Report(title=f"greendc Pareto front: {front.attrs.get('scenario') or info['scenario']}",
                  design=summary_rows(info), design_title="Cheapest front point",
                  figures=figures, tables=tables, warning=_front_warning(front),
                  provenance=json.dumps(provenance, indent=2, default=atomic._json_default))


def _front_warning(front: xr.Dataset) -> Notice | None:
    """The front's own solver outcome: points not proven optimal and epsilons without one."""
    status = [str(s) for s in front["solver_status"].values]
    open_ = [f"point {i}: {s}" for i, s in enumerate(status) if s != "optimal"]
    missing = json.loads(front.attrs.get("points_missing", "[]"))
    open_ += [f"no point at {m['epsilon_t_per_yr']:,.0f} tCO2e/yr ({m['reason']})"
              for m in missing]
    if not open_:
        return None
    return Notice("Not every front point is proven optimal", "; ".join(open_))


def _robustness_table(folder: pathlib.Path) -> Table | None:
    """Robustness-across-data-years table from ``robustness.csv``, if present."""
    path = folder / "robustness.csv"
    if not path.exists():
        return None
    import pandas as pd

    from greendc.robustness import markdown

    table = pd.read_csv(path, dtype={"reason": str, "price_kind": str})
    table["reason"] = table["reason"].astype(object).where(table["reason"].notna(), "")
    lines = markdown(table)
    head, *rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines
                   if not ln.startswith("|---")]
    return Table("Robustness across grid data years (design fixed)", "robustness-table",
                 head, rows)


BATCH_COLUMNS = ["name", "status", "site", "cooling", "cost_eur_per_yr", "emissions_t_per_yr",
                 "cfe_share", "reason"]
BATCH_HEAD = ["case", "status", "site", "cooling", "cost [M EUR/yr]", "emissions [tCO2e/yr]",
              "24/7 CFE", "reason"]


def batch_report(folder: pathlib.Path) -> Report:
    """The comparison report of a ``greendc batch`` folder (from its cases.csv)."""
    import pandas as pd

    cases = pd.read_csv(folder / "cases.csv", keep_default_na=False)
    numeric = ["cost_eur_per_yr", "emissions_t_per_yr", "cfe_share"]
    cases[numeric] = cases[numeric].apply(pd.to_numeric, errors="coerce")
    table = cases[BATCH_COLUMNS].copy()
    table["cost_eur_per_yr"] = (table["cost_eur_per_yr"] / 1e6).round(3)
    table["emissions_t_per_yr"] = table["emissions_t_per_yr"].round(0)
    table["cfe_share"] = table["cfe_share"].round(3)
    rows = [["" if v != v else str(v) for v in row] for row in table.values.tolist()]
    bases = sorted({str(b) for b in cases.get("annual_basis", []) if b})
    return Report(title=f"greendc batch: {folder.name}",
                  provenance="annual figures: " + (" | ".join(bases) or "basis not recorded"),
                  figures=[Figure("Comparison of the cases", "batch_comparison.png",
                                  lambda: plots.batch_comparison(cases))],
                  tables=[Table("Cases", "cases-table", BATCH_HEAD, rows)])


def write_report(folder: str | pathlib.Path) -> pathlib.Path:
    """Write figures/, report.html and report.md into ``folder``; return the HTML path."""
    folder = pathlib.Path(folder)
    if (folder / "results.nc").exists():
        report = results_report(folder)
    elif (folder / "cases.csv").exists():
        report = batch_report(folder)
    else:
        raise DataError(f"{folder}: no results.nc; run `greendc run SCENARIO --out {folder}` first")
    with atomic.folder(folder) as stage:
        (stage / "figures").mkdir()
        for fig in report.figures:
            path = stage / "figures" / fig.file
            figure = fig.make()
            figure.savefig(path, dpi=110)
            plt.close(figure)
            fig.base64 = base64.b64encode(path.read_bytes()).decode()
        for name in ("report.html", "report.md"):
            text = ENV.get_template(f"{name}.j2").render(report=report)
            (stage / name).write_text(text, encoding="utf-8")
    return folder / "report.html"


def _front_rows(front):
    if front is None:
        return [], []
    head = ["point", "cost [M EUR/yr]", "emissions [tCO2e/yr]", "site/cooling",
            "abatement [EUR/tCO2]", "flags"]
    duals = "co2_shadow_price_eur_per_t" in front
    if duals:
        head[5:5] = ["your cap [tCO2e/yr]", "CO2 shadow price [EUR/tCO2]"]
    rows = []
    for i in front.point.values:
        p = front.sel(point=i)
        ab = float(p["abatement_cost_eur_per_t"])
        flags = ",".join(f for f, on in (("dominated", bool(p["dominated"])),
                                          ("duplicate", bool(p["duplicate"]))) if on)
        rows.append([int(i), f"{float(p['cost_eur_per_yr']) / 1e6:,.3f}",
                     f"{float(p['emissions_t_per_yr']):,.0f}",
                     f"{str(p['site'].values)}/{str(p['cooling'].values)}",
                     "within gap" if "abatement_within_gap" in p and bool(
                         p["abatement_within_gap"]) else "" if ab != ab else f"{ab:,.0f}",
                     flags])
        if duals:
            cap = float(p["user_cap_t_per_yr"]) if "user_cap_t_per_yr" in p else float("nan")
            rows[-1][5:5] = [table_number(cap),
                             table_number(p["co2_shadow_price_eur_per_t"])]
    return head, rows
