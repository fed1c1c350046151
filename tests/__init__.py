"""babycry test suite."""
