"""Build-side errors that need no data packages."""

import pytest

from greendc.errors import DataError, MissingExtraError
from greendc.sitedata.recipes import RECIPES, SITE_IDS
from greendc.sitedata.sources import package_dir


def test_missing_data_package_names_install_script():
    with pytest.raises(MissingExtraError, match="install_data_deps.sh"):
        package_dir("greendc_no_such_data_package")


def test_unknown_site_id():
    from greendc.sitedata.build import build_all

    with pytest.raises(DataError, match="xx-nowhere"):
        build_all("unused", ["xx-nowhere"])


def test_recipes_cover_reference_sites():
    assert set(SITE_IDS) == {"fr-essonne", "se-stockholm", "de-frankfurt", "es-madrid",
                             "gb-london", "nl-amsterdam", "fi-helsinki", "pt-lisbon"}
    assert RECIPES["gb-london"].legal_exposures == "UK_IPA_2016"
    assert RECIPES["gb-london"].eu_adequacy_decision == 1
