from tests.e2e.conftest import config_file, settings  # noqa: F401 - shared fixtures
