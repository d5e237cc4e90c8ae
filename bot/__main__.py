"""``python -m bot`` is ``claimbot``."""

import sys

from bot.cli import main

sys.exit(main())
