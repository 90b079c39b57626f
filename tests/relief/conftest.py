"""Relief fixtures: the demo standards at city level."""
import pytest

from relief.services.standards import standards_load_demo


@pytest.fixture
def relief_standards(regions):
    standards_load_demo(actor=None, region=regions["city"])
    return regions
