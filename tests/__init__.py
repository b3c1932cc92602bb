"""The test suite. CI (CI=true) fails a test whose service is missing, and builds its database afresh."""

import os

IN_CI = os.getenv("CI", "").lower() in ("1", "true", "yes")
