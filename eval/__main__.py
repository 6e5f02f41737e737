"""`python -m eval run|quotes`: see eval/run.py."""

import sys

from eval.run import main

sys.exit(main())
