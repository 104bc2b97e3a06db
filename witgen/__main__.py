"""`python -m witgen`: the same as the `witgen` command."""

import sys

from witgen.cli import main

sys.exit(main())
