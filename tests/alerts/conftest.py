from tests.monitoring.conftest import monitor  # noqa: F401 (the fixture)
