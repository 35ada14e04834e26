"""Batch studies: one base scenario under many variations, each case a dask.distributed task.

A batch file (YAML, validated by pydantic; paths relative to the batch file)::

    name: carbon_and_sovereignty          # optional; default: the file name
    scenario: reference_sites.yaml        # the base scenario
    overrides: {horizon.hours: 168}       # optional, applied to every case
    grid:                                 # optional: cartesian product of the values
      finance.carbon_price_eur_per_t: [0, 100]
      sovereignty.allowed_jurisdictions: [null, [EU]]
    cases:                                # optional: explicit variations, each a dict of
      - {name: low_prices, overrides.sites.fr-essonne.grid_network_eur_per_mwh: 5}
      - {name: high_prices, overrides.sites.fr-essonne.grid_network_eur_per_mwh: 30}
    combine: product                      # cases x grid (default) or union (cases + grid)

Override keys are those of ``greendc.scenario.with_overrides``: dotted scenario fields
(``finance.carbon_price_eur_per_t``) and catalogue values under ``overrides.``
(``overrides.sites.fr-essonne.grid_connection_mw``).

Outputs in ``OUT``: one folder per case named by its case id (the hash of the resolved
scenario, ``Scenario.digest()``) holding the outputs of ``greendc run`` (``results.nc``,
``csv/``, ``summary.json``), ``scenario.json``, ``case.log`` and, written last and
atomically, ``status.json`` (with the size and SHA-256 of ``results.nc`` and
``summary.json``); plus ``cases.csv``/``cases.nc`` (one row per case) and ``batch.json``. Re-running skips the cases whose ``status.json`` records a design (optimal or
time limit) from the same data (hash of the catalogue files and the case's site files) and
whose result files are intact (same size and hash); damaged cases and failed ones (infeasible,
bad input, worker died, ...) are tried again.

Workers write the case folders themselves, so with ``--scheduler`` the output folder must be
on a file system the workers share with the client.

Modules: ``cases`` (the batch file and its expansion into cases), ``execution`` (one case in a
worker, the batch on dask or serially), ``records`` (``status.json`` per case, ``cases.csv`` /
``cases.nc`` / ``batch.json``).
"""

from greendc.batch.cases import (Batch, BatchError, BatchFile, Case, batch_from_dict,
                                 data_fingerprint, expand, load_batch, resolve_case)
from greendc.batch.execution import (BatchInterrupted, BatchReport, default_workers, run_batch,
                                     run_case)
from greendc.batch.records import (KPI_COLUMNS, STATUS_FILE, SUCCESS, is_done, kpi_row,
                                   read_status, record_lost, results_fingerprint, write_table)

__all__ = ["BatchError", "BatchFile", "Batch", "Case", "BatchReport", "BatchInterrupted",
           "load_batch", "batch_from_dict", "expand", "resolve_case", "data_fingerprint",
           "run_case", "run_batch", "default_workers", "record_lost", "write_table", "is_done",
           "read_status", "kpi_row", "results_fingerprint", "SUCCESS", "STATUS_FILE", "KPI_COLUMNS"]
