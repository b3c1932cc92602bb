"""`python -m stagegate`, for where the console script is not on the PATH."""

from stagegate.cli import main

raise SystemExit(main())
