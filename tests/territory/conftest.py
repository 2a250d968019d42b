from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def census(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The census reference data, loaded once per session if the demo has not loaded it."""
    from mowakaba.territory.models import CensusProfile
    from mowakaba.territory.need import census_load

    with django_db_blocker.unblock():
        if not CensusProfile.objects.exists():
            census_load()
