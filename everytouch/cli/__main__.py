"""`python -m everytouch.cli`: how `everytouch demo` starts its worker, sweeper and server."""

import sys

from everytouch.cli import main

sys.exit(main())
