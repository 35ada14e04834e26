"""``greendc report DIR``: figures (PNG) + report.html (images embedded) + report.md.

Reads ``DIR/results.nc`` (from ``greendc run``) and, when present, ``DIR/front.nc`` (from
``greendc pareto``). Files are written to temporary names and renamed, so an interrupted
report leaves the previous one intact.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib

import jinja2
import matplotlib.pyplot as plt
import xarray as xr

from greendc.errors import DataError
from greendc.report import plots
from greendc.results import summary

TEMPLATE = jinja2.Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>greendc report: {{ name }}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.warn{background:#fff3cd;padding:8px;border:1px solid #e0c36a}img{max-width:100%}</style></head>
<body><h1>greendc report: {{ name }}</h1>
{% if not proven %}<p class="warn"><b>Not proven optimal</b>: solver status {{ status }},
relative MIP gap {{ gap }}.</p>{% endif %}
<h2>Chosen design</h2>
<table id="design-table">{% for k, v in design %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
{% for title, img in figures %}<h2>{{ title }}</h2><img alt="{{ title }}" src="data:image/png;base64,{{ img }}">{% endfor %}
{% if front_rows %}<h2>Pareto front points</h2><table id="front-table"><tr>{% for h in front_head %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in front_rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
<h2>Provenance</h2><pre>{{ provenance }}</pre>
</body></html>
""")


def design_rows(info: dict) -> list[tuple[str, str]]:
    em = info["emissions_t_per_year"]
    return [
        ("site", str(info["site"])), ("cooling", str(info["cooling"])),
        ("servers", ", ".join(f"{n} x {k}" for k, n in info["servers"].items())),
        ("IT power [MW]", f"{info['it_mw']:.2f}"), ("mean PUE", f"{info['mean_pue']:.3f}"),
        ("solar PPA [MW]", f"{info['ppa_solar_mw']:.2f}"), ("wind PPA [MW]", f"{info['ppa_wind_mw']:.2f}"),
        ("battery [MWh / MW]", f"{info['battery_mwh']:.2f} / {info['battery_mw']:.2f}"),
        ("heat pump [MW_th]", f"{info['heat_pump_mw']:.2f}"),
        ("heat sold [MWh_th/yr]", f"{info['heat_sold_mwh']:,.0f}"),
        ("annual cost [M EUR/yr]", f"{info['cost_eur_per_year'] / 1e6:,.3f}"),
        ("emissions [tCO2e/yr]", f"{em['total']:,.0f} (operational {em['operational']:,.0f}, "
                                 f"embodied {em['embodied']:,.0f})"),
        ("water [L/kWh IT]", f"{info['wue_l_per_kwh']:.3f}"),
        ("solver", f"{info['solver']['status']}, gap {info['solver']['mip_gap']}, "
                   f"{info['solver']['seconds']} s"),
    ]


def _png(fig, path: pathlib.Path) -> str:
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)
    return base64.b64encode(path.read_bytes()).decode()


def write_report(folder: str | pathlib.Path) -> pathlib.Path:
    """Write figures/, report.html and report.md into ``folder``; return the HTML path."""
    folder = pathlib.Path(folder)
    results_path = folder / "results.nc"
    if not results_path.exists() and (folder / "cases.csv").exists():
        return write_batch_report(folder)
    if not results_path.exists():
        raise DataError(f"{folder}: no results.nc; run `greendc run SCENARIO --out {folder}` first")
    res = xr.load_dataset(results_path)
    front = xr.load_dataset(folder / "front.nc") if (folder / "front.nc").exists() else None
    info = summary(res)
    figs_dir = folder / "figures"
    figs_dir.mkdir(exist_ok=True)
    makers = [("Cost breakdown", "cost", lambda: plots.cost_breakdown(res)),
              ("Emissions breakdown", "emissions", lambda: plots.emissions_breakdown(res)),
              ("Hourly dispatch", "dispatch", lambda: plots.dispatch_heatmaps(res)),
              ("Monthly energy balance", "monthly", lambda: plots.monthly_energy_balance(res))]
    if "candidate_pue" in res:
        makers.append(("PUE duration curves per cooling and site", "pue",
                       lambda: plots.pue_duration_curves(res)))
    if front is not None:
        makers.insert(0, ("Pareto front", "pareto", lambda: plots.pareto_plot(front)))
    figures = [(title, _png(make(), figs_dir / f"{stem}.png")) for title, stem, make in makers]
    head, rows = _front_rows(front)
    html = TEMPLATE.render(
        name=info["scenario"], proven=info["solver"]["proven_optimal"],
        status=info["solver"]["status"], gap=info["solver"]["mip_gap"],
        design=design_rows(info), figures=figures, front_head=head, front_rows=rows,
        provenance=json.dumps(info["provenance"], indent=2))
    md = _markdown(info, [(t, s) for t, s, _ in makers], head, rows)
    rob = _robustness_markdown(folder)  # written by `greendc robustness`
    if rob:
        md += "\n" + "\n".join(rob) + "\n"
        html = html.replace("</body>", _robustness_html(rob) + "</body>")
    _write(folder / "report.html", html)
    _write(folder / "report.md", md)
    return folder / "report.html"


def _robustness_markdown(folder: pathlib.Path) -> list[str]:
    """Robustness-across-data-years section from ``robustness.csv``, if present."""
    path = folder / "robustness.csv"
    if not path.exists():
        return []
    import pandas as pd

    from greendc.robustness import markdown

    table = pd.read_csv(path, dtype={"reason": str, "price_kind": str})
    table["reason"] = table["reason"].astype(object).where(table["reason"].notna(), "")
    return ["## Robustness across grid data years (design fixed)", ""] + markdown(table)


def _robustness_html(lines: list[str]) -> str:
    rows = [ln.strip("|").split("|") for ln in lines[2:] if not ln.startswith("|---")]
    body = "".join("<tr>" + "".join(f"<td>{c.strip()}</td>" for c in r) + "</tr>" for r in rows)
    return f"<h2>{lines[0][3:]}</h2><table id=\"robustness-table\">{body}</table>"


BATCH_TEMPLATE = jinja2.Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>greendc batch: {{ name }}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
img{max-width:100%}</style></head>
<body><h1>greendc batch: {{ name }}</h1>
<img alt="comparison" src="data:image/png;base64,{{ img }}">
<h2>Cases</h2><table id="cases-table"><tr>{% for h in head %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
</body></html>
""")
BATCH_COLUMNS = ["name", "status", "site", "cooling", "cost_eur_per_yr", "emissions_t_per_yr",
                 "cfe_share", "reason"]


def write_batch_report(folder: pathlib.Path) -> pathlib.Path:
    """Comparison report of a ``greendc batch`` folder (reads its cases.csv)."""
    import pandas as pd

    cases = pd.read_csv(folder / "cases.csv", keep_default_na=False)
    numeric = ["cost_eur_per_yr", "emissions_t_per_yr", "cfe_share"]
    cases[numeric] = cases[numeric].apply(pd.to_numeric, errors="coerce")
    figs_dir = folder / "figures"
    figs_dir.mkdir(exist_ok=True)
    img = _png(plots.batch_comparison(cases), figs_dir / "batch_comparison.png")
    table = cases[BATCH_COLUMNS].copy()
    table["cost_eur_per_yr"] = (table["cost_eur_per_yr"] / 1e6).round(3)
    table["emissions_t_per_yr"] = table["emissions_t_per_yr"].round(0)
    table["cfe_share"] = table["cfe_share"].round(3)
    head = ["case", "status", "site", "cooling", "cost [M EUR/yr]", "emissions [tCO2e/yr]",
            "24/7 CFE", "reason"]
    rows = [["" if v != v else str(v) for v in row] for row in table.values.tolist()]
    _write(folder / "report.html", BATCH_TEMPLATE.render(name=folder.name, img=img, head=head,
                                                         rows=rows))
    md = [f"# greendc batch: {folder.name}", "", "![comparison](figures/batch_comparison.png)",
          "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    _write(folder / "report.md", "\n".join(md) + "\n")
    return folder / "report.html"


def _front_rows(front):
    if front is None:
        return [], []
    head = ["point", "cost [M EUR/yr]", "emissions [tCO2e/yr]", "site/cooling",
            "abatement [EUR/tCO2]", "flags"]
    rows = []
    for i in front.point.values:
        p = front.sel(point=i)
        ab = float(p["abatement_cost_eur_per_t"])
        flags = ",".join(f for f, on in (("dominated", bool(p["dominated"])),
                                          ("duplicate", bool(p["duplicate"]))) if on)
        rows.append([int(i), f"{float(p['cost_eur_per_yr']) / 1e6:,.3f}",
                     f"{float(p['emissions_t_per_yr']):,.0f}",
                     f"{str(p['site'].values)}/{str(p['cooling'].values)}",
                     "" if ab != ab else f"{ab:,.0f}", flags])
    return head, rows


def _markdown(info, figures, head, rows) -> str:
    lines = [f"# greendc report: {info['scenario']}", ""]
    if not info["solver"]["proven_optimal"]:
        lines += [f"**Not proven optimal**: status {info['solver']['status']}, "
                  f"gap {info['solver']['mip_gap']}", ""]
    lines += ["## Chosen design", "", "| item | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in design_rows(info)]
    for title, stem in figures:
        lines += ["", f"## {title}", "", f"![{title}](figures/{stem}.png)"]
    if rows:
        lines += ["", "## Pareto front points", "", "| " + " | ".join(head) + " |",
                  "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _write(path: pathlib.Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
