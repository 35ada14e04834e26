"""greendc's built-in data, shipped inside the package as ``greendc.data``.

``catalogue/*.yaml`` (technology catalogues), ``sites/*.nc`` (reference sites) and
``SOURCES.md``. Read it through :func:`greendc.catalogue.builtin_data_dir`, never relative to
the repository.
"""
