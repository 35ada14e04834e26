"""Command line: ``greendc validate | run | robustness | pareto | footprint | report | data``.

A thin layer over the Python API.

Exit codes: 0 success; 1 user-fixable problem (bad input, infeasible study, solver fault);
2 usage error (typer); 3 a design was found but is not proven optimal (time limit).
"""

from __future__ import annotations

import json
import logging
import pathlib

import typer

from greendc.errors import GreendcError, InfeasibleError

app = typer.Typer(
    help="greendc: choose site, servers, cooling, PPA, battery and heat export for a green AI "
    "data centre at least cost or emissions. Start with `greendc run studies/reference_sites.yaml`.",
    no_args_is_help=True, add_completion=False,
)
EXIT_USER_ERROR, EXIT_NOT_PROVEN = 1, 3


def _mount_data_app() -> None:
    try:
        from greendc.sitedata.cli import app as data_app
    except ImportError:  # pragma: no cover - sitedata always ships with the package
        return
    app.add_typer(data_app, name="data", help="Reference-site data: list, show, build, import.")


_mount_data_app()


def _fail(exc: GreendcError) -> None:
    kind = type(exc).__name__
    typer.secho(f"{kind}: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(EXIT_USER_ERROR)


@app.command()
def robustness(
    scenario: pathlib.Path = typer.Argument(..., help="scenario YAML file of the solved design"),
    results: pathlib.Path = typer.Option(None, "--results", "-r", help="results folder of that "
                                         "scenario (default: results/<scenario name>)"),
    years: list[int] = typer.Option(None, "--year", "-y", help="data years (default: every "
                                    "year available for the built site)"),
) -> None:
    """Re-evaluate a solved design (capacities fixed, hourly dispatch only) in every grid data
    year: cost, emissions and CFE per year, their spread, and why a year is infeasible. Writes
    robustness.csv/.json into the results folder (shown by `greendc report`)."""
    import xarray as xr

    from greendc import robustness as rb
    from greendc.scenario import load_scenario

    try:
        loaded = load_scenario(scenario)
        folder = results or pathlib.Path("results") / loaded.scenario.name
        if not (folder / "results.nc").exists():
            raise GreendcError(f"{folder}: no results.nc; run `greendc run {scenario}` first")
        res = xr.load_dataset(folder / "results.nc")
        table = rb.robustness(loaded, res, list(years or []) or None,
                              progress=lambda msg: typer.echo(f"  .. {msg}", err=True))
    except GreendcError as exc:
        _fail(exc)
    path = rb.save(table, folder)
    typer.echo("\n".join(rb.markdown(table)))
    typer.echo(f"robustness: {path}")


@app.command()
def validate(scenario: pathlib.Path = typer.Argument(..., help="scenario YAML file")) -> None:
    """Check a scenario, its catalogue overrides and its site files without solving."""
    from greendc.study import combinations, load_study

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
    data_year: int = typer.Option(None, "--data-year", help="grid data year of the site files "
                                  "(overrides the scenario's data_year; see `greendc data list`)"),
) -> None:
    """Solve a scenario: print the chosen design and KPIs, save results.nc, csv/ and summary.json."""
    from greendc.results import save_results, summary
    from greendc.study import load_study, solve_study

    changes = {"solver.time_limit_s": time_limit} if time_limit else {}
    if data_year is not None:
        changes["data_year"] = data_year
    changes = changes or None
    try:
        study = load_study(scenario, overrides=changes)
    except GreendcError as exc:
        _fail(exc)
    echo = (lambda msg: None) if quiet else (lambda msg: typer.echo(f"  .. {msg}", err=True))
    try:
        res = solve_study(study, strategy=strategy, progress=echo)
    except InfeasibleError as exc:
        typer.secho(f"Infeasible study: {exc}", err=True, fg=typer.colors.RED)
        _explain(study)
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


@app.command()
def pareto(
    scenario: pathlib.Path = typer.Argument(..., help="scenario YAML file"),
    points: int = typer.Option(10, "--points", "-n", min=2, help="points on the front"),
    out: pathlib.Path = typer.Option(None, "--out", "-o", help="folder (default: results/<name>-front)"),
    scope: str = typer.Option("emissions", help="emissions (total) | operational"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress lines"),
) -> None:
    """Cost-emissions Pareto front (augmented epsilon-constraint); writes front.nc and front.csv."""
    from tqdm import tqdm

    from greendc.pareto import pareto_front, save_front
    from greendc.study import load_study

    if scope not in ("emissions", "operational"):
        typer.secho(f"--scope {scope!r}: expected 'emissions' or 'operational'", err=True, fg="red")
        raise typer.Exit(2)
    try:
        study = load_study(scenario)
        with tqdm(desc="front", unit="step", disable=quiet, file=None) as bar:
            def step(msg: str) -> None:
                bar.set_postfix_str(msg[-50:])
                bar.update(1)
            designs: list = []
            front = pareto_front(study, points=points, scope=scope, progress=step,
                                 designs=designs)
    except GreendcError as exc:
        _fail(exc)
    from greendc.report import write_report
    from greendc.results import save_results

    folder = out or pathlib.Path("results") / f"{study.scenario.name}-front"
    cheapest = designs[0]
    cheapest["candidate_pue"] = study.inputs["pue"].astype("float32")
    save_results(cheapest, folder)
    save_front(front, folder)
    html = write_report(folder)
    typer.echo(format_front(front))
    typer.echo(f"front: {folder}/front.nc, report: {html} ({front.attrs['seconds']:.1f} s)")


@app.command()
def report(folder: pathlib.Path = typer.Argument(..., help="results folder of `greendc run` "
                                                  "or `greendc pareto`")) -> None:
    """Write report.html (self-contained) and report.md with figures/ into a results folder."""
    from greendc.report import write_report

    try:
        html = write_report(folder)
    except GreendcError as exc:
        _fail(exc)
    typer.echo(f"report: {html}")


@app.command()
def batch(
    batch_file: pathlib.Path = typer.Argument(..., help="batch YAML: base scenario + grid/cases"),
    out: pathlib.Path = typer.Option(None, "--out", "-o", help="batch folder "
                                     "(default: results/<batch name>)"),
    scheduler: str = typer.Option(None, "--scheduler", help="address of a running dask "
                                  "scheduler (default: a local cluster)"),
    workers: int = typer.Option(None, "--workers", "-w", min=1, help="local worker processes "
                                "(default: one per core)"),
    serial: bool = typer.Option(False, "--serial", help="run the cases in this process, no dask"),
    retry_failed: bool = typer.Option(True, "--retry-failed/--keep-failed",
                                      help="re-run cases that failed before (default) or keep "
                                      "their recorded failure"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Run every case of a batch on dask.distributed; skip the cases already done.

    Writes OUT/<case id>/ (results.nc, csv/, summary.json, case.log, status.json) per case and
    OUT/cases.csv + cases.nc. Exit code 1 when a case failed, 3 when one is not proven optimal.
    """
    from greendc.batch import BatchInterrupted, load_batch, run_batch

    try:
        spec = load_batch(batch_file)
        report = run_batch(spec, out or pathlib.Path("results") / spec.name, scheduler=scheduler,
                           workers=workers, serial=serial, retry_failed=retry_failed,
                           quiet=quiet)
    except BatchInterrupted as exc:
        typer.secho(exc.report.line(), err=True, fg="yellow")
        raise typer.Exit(130)
    except GreendcError as exc:
        _fail(exc)
    table = report.table
    if not quiet:
        cols = ["case_id", "name", "status", "site", "cooling", "objective_value"]
        typer.echo(table[cols].to_string(index=False, max_colwidth=40))
    for _, row in table[~table["status"].isin(("optimal", "time_limit"))].iterrows():
        reason = str(row["reason"]).splitlines()[0] if row["reason"] else ""
        typer.secho(f"{row['case_id']} {row['name']}: {row['status']}: {reason}", err=True,
                    fg="red")
    from greendc.report import write_report

    html = write_report(report.out)
    typer.echo(f"{report.line()}\nsummary: {report.out / 'cases.csv'}, comparison: {html}")
    if report.failed:
        raise typer.Exit(EXIT_USER_ERROR)
    if (table["status"] == "time_limit").any():
        raise typer.Exit(EXIT_NOT_PROVEN)


def format_front(front) -> str:
    """One line per front point: cost, emissions, site/cooling, abatement cost."""
    lines = [f"{'pt':>3} {'cost M EUR/yr':>14} {'tCO2e/yr':>10} {'EUR/tCO2':>9}  design"]
    for i in front.point.values:
        p = front.sel(point=i)
        ab = float(p["abatement_cost_eur_per_t"])
        flags = "".join([" (dominated)" if bool(p["dominated"]) else "",
                         " (duplicate)" if bool(p["duplicate"]) else ""])
        lines.append(f"{int(i):>3} {float(p['cost_eur_per_yr']) / 1e6:>14,.3f} "
                     f"{float(p['emissions_t_per_yr']):>10,.0f} "
                     f"{'' if ab != ab else f'{ab:,.0f}':>9}  {str(p['site'].values)}/"
                     f"{str(p['cooling'].values)}{flags}")
    return "\n".join(lines)


@app.command()
def footprint(
    accelerators: int = typer.Option(..., help="number of accelerators (GPUs)"),
    power_w: float = typer.Option(..., help="power per accelerator [W] (TDP or measured average)"),
    hours: float = typer.Option(..., help="duration [h]"),
    utilisation: float = typer.Option(1.0, help="average share of power_w drawn (0-1)"),
    pue: float = typer.Option(None, help="PUE (omit with --site to use the site's hourly PUE)"),
    carbon_intensity: float = typer.Option(None, "--carbon-intensity",
                                           help="grid intensity [gCO2e/kWh]"),
    site: str = typer.Option(None, help="reference site id: hourly PUE and carbon intensity"),
    cooling: str = typer.Option("immersion", help="cooling technology at --site"),
    start_hour: int = typer.Option(0, help="hour of the year the run starts (with --site)"),
) -> None:
    """Energy [MWh] and emissions [tCO2e] of a training or inference workload.

    Example (Patterson et al. 2021, GPT-3): --accelerators 10000 --power-w 330 --hours 355.2
    --pue 1.1 --carbon-intensity 429  ->  1,289 MWh, 553 t.
    """
    from greendc.footprint import footprint_at_site
    from greendc.physics.carbon import Workload, workload_emissions_t, workload_energy_mwh

    try:
        work = Workload("workload", accelerators, power_w, hours, utilisation)
        if site is None:
            if pue is None or carbon_intensity is None:
                raise GreendcError("give --pue and --carbon-intensity, or --site")
            energy = workload_energy_mwh(work, pue)
            emissions = workload_emissions_t(energy, carbon_intensity)
        else:
            energy, emissions = footprint_at_site(work, site, cooling, start_hour)
    except GreendcError as exc:
        _fail(exc)
    typer.echo(f"energy {energy:,.1f} MWh, emissions {emissions:,.1f} tCO2e")


def _explain(study) -> None:
    """Print the elastic-mode explanation and the IIS of an infeasible study."""
    from greendc.diagnose import explain

    typer.echo("Diagnosing (elastic mode, then HiGHS IIS) ...", err=True)
    diag = explain(study)
    typer.echo(diag.text(), err=True)
    typer.echo(f"(diagnosis took {diag.seconds:.1f} s)", err=True)


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
        ("24/7 CFE", f"{info['cfe_share']:.1%} of the load matched hour by hour with "
                     "carbon-free supply"),
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
