"""Command line: ``greendc validate | run | data``; a thin layer over the Python API.

Exit codes: 0 success; 1 user-fixable problem (bad input, infeasible study, solver fault);
2 usage error (typer); 3 a design was found but is not proven optimal (time limit).
"""

from __future__ import annotations

import json
import logging
import pathlib

import typer

from model.errors import GreendcError, InfeasibleError

app = typer.Typer(
    help="greendc: choose site, servers, cooling, PPA, battery and heat export for a green AI "
    "data centre at least cost or emissions. Start with `greendc run studies/reference_sites.yaml`.",
    no_args_is_help=True, add_completion=False,
)
EXIT_USER_ERROR, EXIT_NOT_PROVEN = 1, 3


def _mount_data_app() -> None:
    try:
        from model.sitedata.cli import app as data_app
    except ImportError:  # pragma: no cover - sitedata always ships with the package
        return
    app.add_typer(data_app, name="data", help="Reference-site data: list, show, build, import.")


_mount_data_app()


def _fail(exc: GreendcError) -> None:
    kind = type(exc).__name__
    typer.secho(f"{kind}: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(EXIT_USER_ERROR)


@app.command()
def validate(scenario: pathlib.Path = typer.Argument(..., help="scenario YAML file")) -> None:
    """Check a scenario, its catalogue overrides and its site files without solving."""
    from model.study import combinations, load_study

    try:
        study = load_study(scenario)
    except GreendcError as exc:
        _fail(exc)
    sc = study.scenario
    combos = combinations(study)
    typer.echo(f"OK: {scenario}: {len(sc.sites)} sites, {study.inputs.sizes['cooling']} coolings, "
               f"{study.inputs.sizes['server']} server types, {study.inputs.sizes['time']} hours; "
               f"{len(combos)} (site, cooling) candidates pass the sovereignty rules")


@app.command()
def run(
    scenario: pathlib.Path = typer.Argument(..., help="scenario YAML file"),
    out: pathlib.Path = typer.Option(None, "--out", "-o", help="results folder "
                                     "(default: results/<scenario name>)"),
    strategy: str = typer.Option(None, help="auto | decompose | monolithic"),
    time_limit: float = typer.Option(None, "--time-limit", help="solver time limit per MILP [s]"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="print only the summary line"),
) -> None:
    """Solve a scenario: print the chosen design and KPIs, save results.nc, csv/ and summary.json."""
    from model.results import save_results, summary
    from model.study import load_study, solve_study

    changes = {"solver.time_limit_s": time_limit} if time_limit else None
    try:
        study = load_study(scenario, overrides=changes)
        echo = (lambda msg: None) if quiet else (lambda msg: typer.echo(f"  .. {msg}", err=True))
        res = solve_study(study, strategy=strategy, progress=echo)
    except InfeasibleError as exc:
        typer.secho(f"Infeasible study: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(EXIT_USER_ERROR)
    except GreendcError as exc:
        _fail(exc)
    folder = save_results(res, out or pathlib.Path("results") / study.scenario.name)
    info = summary(res)
    typer.echo(format_summary(info) if not quiet else json.dumps(
        {k: info[k] for k in ("site", "cooling", "cost_eur_per_year")}))
    typer.echo(f"results: {folder}")
    if info["solver"]["status"] != "optimal":
        typer.secho("WARNING: not proven optimal (time limit); see solver.mip_gap", fg="yellow")
        raise typer.Exit(EXIT_NOT_PROVEN)


def format_summary(info: dict) -> str:
    """Readable table of the chosen design and KPIs."""
    em = info["emissions_t_per_year"]
    servers = ", ".join(f"{n} x {k}" for k, n in info["servers"].items()) or "none"
    solver = info["solver"]
    gap = solver["mip_gap"]
    rows = [
        ("site", info["site"]), ("cooling", info["cooling"]), ("servers", servers),
        ("IT power", f"{info['it_mw']:.2f} MW"), ("mean PUE", f"{info['mean_pue']:.3f}"),
        ("solar PPA", f"{info['ppa_solar_mw']:.2f} MW"), ("wind PPA", f"{info['ppa_wind_mw']:.2f} MW"),
        ("battery", f"{info['battery_mwh']:.2f} MWh / {info['battery_mw']:.2f} MW"),
        ("heat pump", f"{info['heat_pump_mw']:.2f} MW_th, {info['heat_sold_mwh']:,.0f} MWh_th/yr sold"),
        ("annual cost", f"{info['cost_eur_per_year'] / 1e6:,.3f} M EUR/yr"),
        ("emissions", f"{em['total']:,.0f} tCO2e/yr (operational {em['operational']:,.0f}, "
                      f"embodied {em['embodied']:,.0f})"),
        ("water", f"{info['wue_l_per_kwh']:.3f} L/kWh IT"),
        ("solver", f"{solver['status']}, gap {gap if gap is None else f'{gap:.2e}'}, "
                   f"{solver['seconds']:.1f} s, {solver['strategy']}"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    breakdown = info["cost_breakdown_eur_per_year"]
    lines.append("cost breakdown (M EUR/yr): " + ", ".join(
        f"{k} {v / 1e6:,.2f}" for k, v in breakdown.items() if abs(v) > 0.5))
    return "\n".join(lines)


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING)
    app()
