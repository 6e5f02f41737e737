"""`python -m assistant ...` is the `assistant` console script."""

import sys

from assistant.cli import main

sys.exit(main())
