"""Report figures (matplotlib, Agg backend, PNG). Each function takes Datasets, returns a Figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402


def built_site(res: xr.Dataset) -> str:
    return str(res.site.values[int(np.argmax(res["build"].values))])


def cost_breakdown(res: xr.Dataset):
    """Horizontal bars of annual cost items [M EUR/yr] (revenues negative)."""
    items = [v for v in res.data_vars if v.startswith("cost_") and v.endswith("_eur_per_yr")
             and v != "cost_eur_per_yr"]
    values = [float(res[v]) * (-1 if "revenue" in v else 1) / 1e6 for v in items]
    labels = [v.removeprefix("cost_").removesuffix("_eur_per_yr").replace("_", " ") for v in items]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.barh(labels, values, color=["tab:green" if x < 0 else "tab:blue" for x in values])
    ax.set_xlabel("M EUR/yr")
    ax.set_title(f"Annual cost {float(res['cost_eur_per_yr']) / 1e6:,.2f} M EUR/yr")
    fig.tight_layout()
    return fig


def emissions_breakdown(res: xr.Dataset):
    """Bars of operational and embodied emissions [tCO2e/yr]."""
    ppa = float(res["operational_ppa_t_per_yr"]) if "operational_ppa_t_per_yr" in res else 0.0
    tests = float(res["backup_test_t_per_yr"]) if "backup_test_t_per_yr" in res else 0.0
    parts = {"operational grid": float(res["operational_t_per_yr"]) - ppa - tests,
             "operational PPA life cycle": ppa,
             **({"operational backup test runs": tests} if "backup_test_t_per_yr" in res else {}),
             "embodied servers": float(res["embodied_servers_t_per_yr"]),
             "embodied battery": float(res["embodied_battery_t_per_yr"]),
             "embodied owned solar": float(res["embodied_supply_t_per_yr"])}
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh(list(parts), list(parts.values()), color="tab:gray")
    ax.set_xlabel("tCO2e/yr")
    ax.set_title(f"Emissions {float(res['emissions_t_per_yr']):,.0f} tCO2e/yr")
    fig.tight_layout()
    return fig


def _nonzero(values: np.ndarray) -> bool:
    return bool(np.nanmax(np.abs(values), initial=0.0) > 1e-6)


def _time_index(res: xr.Dataset) -> pd.DatetimeIndex | None:
    times = res.time.values
    return pd.DatetimeIndex(times) if np.issubdtype(times.dtype, np.datetime64) else None


def dispatch_heatmaps(res: xr.Dataset):
    """Day x hour heatmaps of grid import, solar/wind used, battery net and heat export [MW],
    and the hourly IT power with a flexible training load; a panel whose series is zero all
    horizon (no battery, no heat export) is left out."""
    site = built_site(res)
    r = res.sel(site=site)
    series = {
        "grid import [MW]": r["grid_import_mw"].values,
        "solar/wind used [MW]": r["supply_output_mw"].values - r["surplus_mw"].values,
        "battery discharge - charge [MW]": r["battery_discharge_mw"].values - r["battery_charge_mw"].values,
        "heat export [MW_th]": r["heat_export_mw_th"].values,
    }
    series = {k: v for i, (k, v) in enumerate(series.items()) if i < 2 or _nonzero(v)}
    if "it_power_mw" in r:  # a flexible training load moves the IT power (formulation.flexible)
        series["IT power (flexible training) [MW]"] = r["it_power_mw"].values
    index = _time_index(res)
    # rows are calendar days, columns the UTC hour of day: a horizon starting at 16:00 fills
    # its first row from column 16 (blank before), typical days fill whole rows
    offset = int(index[0].hour) if index is not None else 0
    days = -(-(offset + len(r.time)) // 24)
    fig, axes = plt.subplots(1, len(series), figsize=(3.6 * len(series) + 1, 4), sharey=True,
                             squeeze=False)
    for ax, (name, values) in zip(axes[0], series.items()):
        grid = np.full(days * 24, np.nan)
        grid[offset: offset + len(values)] = values
        im = ax.imshow(grid.reshape(days, 24), aspect="auto", interpolation="nearest",
                       cmap="viridis")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("hour of day (UTC)")
        fig.colorbar(im, ax=ax, fraction=0.05)
    rows = np.arange(0, days, max(days // 12, 1))
    if index is not None:
        first_day = index[0].normalize()
        axes[0][0].set_yticks(rows, [f"{first_day + pd.Timedelta(days=int(d)):%d %b}"
                                     for d in rows], fontsize=7)
        axes[0][0].set_ylabel("day (UTC)")
    else:
        axes[0][0].set_yticks(rows, [str(int(d) + 1) for d in rows])
        axes[0][0].set_ylabel("day of the horizon")
    fig.suptitle(f"Hourly dispatch at {site}")
    fig.tight_layout()
    return fig


LINE_STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _staggered(n: int, j: int, sites: int) -> tuple[int, int]:
    """Markers every n/6 points, shifted per site so that coinciding curves show each one."""
    step = max(n // 6, 1)
    return (j * step // max(sites, 1)) % step, step


def pue_duration_curves(res: xr.Dataset):
    """PUE duration curves per cooling technology (one panel each) and candidate site, each
    site its own colour, line style and marker (curves that coincide stay visible), labelled
    with its mean PUE over the horizon's hours."""
    pue = res["candidate_pue"]
    n = pue.sizes["cooling"]
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.8), sharey=True, squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, cool in zip(axes[0], pue.cooling.values):
        for j, site in enumerate(pue.site.values):
            curve = np.sort(pue.sel(site=site, cooling=cool).values)[::-1]
            x = np.arange(len(curve))
            ax.plot(x, curve, color=colours[j % len(colours)],
                    linestyle=LINE_STYLES[j % len(LINE_STYLES)], marker=MARKERS[j % len(MARKERS)],
                    markevery=_staggered(len(curve), j, pue.sizes["site"]), markersize=4,
                    linewidth=1.4,
                    label=f"{site} (mean {float(np.mean(curve)):.3f})")
        ax.set_title(str(cool))
        ax.set_xlabel("hours of the horizon (sorted)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6)
    axes[0][0].set_ylabel("PUE")
    fig.tight_layout()
    return fig


def monthly_energy_balance(res: xr.Dataset):
    """Electricity supply (grid, solar/wind used, battery net) and demand as MODELLED over the
    horizon [MWh or GWh], never annualised: per month over a horizon of two months or more,
    per day over a shorter one, per typical day on typical days. The title states the basis."""
    from greendc.results import annual_basis, decoded_attrs

    site = built_site(res)
    r = res.sel(site=site)
    frame = pd.DataFrame({
        "grid": r["grid_import_mw"].values,
        "solar/wind used": r["supply_output_mw"].values - r["surplus_mw"].values,
        "battery net": r["battery_discharge_mw"].values - r["battery_charge_mw"].values,
        "facility": r["facility_mw"].values, "heat pump": r["heat_pump_elec_mw"].values,
    })
    index = _time_index(res)
    horizon = decoded_attrs(res).get("horizon") or {}
    if index is not None and len(index) > 1 and not horizon.get("typical_days"):
        # MW x step duration [h] = MWh per step (typical days: 1 h steps between day jumps)
        dt_h = np.diff(index.values).astype("timedelta64[s]").astype(float) / 3600.0
        frame = frame.mul(np.append(dt_h, dt_h[-1]), axis=0)
    if horizon.get("typical_days") or index is None:
        groups, unit = np.arange(len(frame)) // 24, "day"
        kind = "typical day" if horizon.get("typical_days") else "day"
        labels = [f"{kind} {i + 1}" for i in range(int(groups.max()) + 1)]
    elif len(frame) >= 2 * 730:
        groups, unit = index.to_period("M"), "month"
        labels = [f"{p:%b %Y}" for p in groups.unique()]
    else:
        groups, unit = index.to_period("D"), "day"
        labels = [f"{p:%d %b}" for p in groups.unique()]
    per = frame.groupby(np.asarray(groups), sort=True).sum()
    scale, energy = (1000.0, "GWh") if per[["facility", "heat pump"]].sum(axis=1).max() > 5000 \
        else (1.0, "MWh")
    per = per / scale
    fig, ax = plt.subplots(figsize=(max(9, 0.35 * len(per)), 3.8))
    x = np.arange(len(per))
    bottom = np.zeros(len(per))
    for col in ("grid", "solar/wind used", "battery net"):
        if col == "battery net" and not _nonzero(per[col].to_numpy()):
            continue
        ax.bar(x, per[col], bottom=bottom, label=col)
        bottom += per[col].to_numpy()
    ax.plot(x, per["facility"] + per["heat pump"], "k.-", label="demand")
    ax.set_xticks(x, labels, rotation=90 if len(x) > 14 else 0, fontsize=7)
    ax.set_ylabel(f"{energy} per {unit} (modelled)")
    ax.legend(fontsize=8, ncols=4, loc="best", framealpha=0.8)
    ax.set_title(f"Electricity balance at {site}, energy as modelled (not annualised)\n"
                 f"{annual_basis(horizon)}", fontsize=9)
    fig.tight_layout()
    return fig


def pareto_plot(front: xr.Dataset):
    """Cost vs emissions front; each point labelled where the design changes."""
    cost = front["cost_eur_per_yr"].values / 1e6
    emis = front["emissions_t_per_yr"].values
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(emis, cost, "o-", color="tab:blue")
    previous = None
    for i in range(len(cost)):
        design = f"{front['site'].values[i]}/{front['cooling'].values[i]}"
        mw = front["supply_mw"].isel(point=i).sum().item()
        label = design if design != previous else ""
        label += f"\nPPA {mw:.0f} MW" if mw > 0.5 else ""
        if label:
            ax.annotate(label, (emis[i], cost[i]), fontsize=7, xytext=(5, 5),
                        textcoords="offset points")
        previous = design
    ax.set_xlabel("emissions [tCO2e/yr]")
    ax.set_ylabel("annual cost [M EUR/yr]")
    ax.set_title("Cost-emissions Pareto front")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def batch_comparison(cases):
    """Cost [M EUR/yr] and emissions [tCO2e/yr] of every solved case of a batch, side by side,
    labelled with the chosen site/cooling (``cases`` is the batch's cases.csv as a DataFrame);
    each bar carries its value, the axes thousands separators."""
    from matplotlib.ticker import FuncFormatter

    done = cases[cases["status"].isin(["optimal", "time_limit"])]
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.5 * max(len(done), 3) + 1.8), sharey=True)
    labels = [f"{n}\n{s}/{c}" for n, s, c in zip(done["name"], done["site"], done["cooling"])]
    cost = (done["cost_eur_per_yr"] / 1e6).to_numpy(float)
    emis = done["emissions_t_per_yr"].to_numpy(float)
    for ax, values, colour, label, fmt in (
            (axes[0], cost, "tab:blue", "annual cost [M EUR/yr]", "{:,.2f}"),
            (axes[1], emis, "tab:gray", "emissions [tCO2e/yr]", "{:,.0f}")):
        bars = ax.barh(labels, values, color=colour)
        ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=3, fontsize=8)
        ax.set_xlabel(label)
        ax.set_xlim(0, max(float(np.nanmax(values, initial=0.0)), 1e-9) * 1.18)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10
                                                   else f"{v:,.1f}"))
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()
    axes[0].tick_params(axis="y", labelsize=8)
    fig.suptitle(f"{len(done)} solved case(s) of {len(cases)}")
    fig.tight_layout()
    return fig
