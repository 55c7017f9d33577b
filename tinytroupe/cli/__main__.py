"""``python -m tinytroupe.cli``: the same as the ``tinytroupe`` command."""

import sys

from tinytroupe.cli.main import main

sys.exit(main())
