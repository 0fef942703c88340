"""`python -m salesctl` behaves exactly like the `salesctl` command."""

import sys

from .cli import main

sys.exit(main())
