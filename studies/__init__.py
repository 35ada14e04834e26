"""greendc's reference studies, shipped inside the package as ``greendc.studies``.

Scenario YAML files, the seed-table script and the analyst notebook; from an installed
package, :func:`greendc.catalogue.builtin_studies_dir` gives their folder.
"""
