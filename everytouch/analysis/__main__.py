"""`python -m everytouch.analysis PATH...`: the same as `everytouch analyze PATH...`."""

import sys

from everytouch.analysis.cli import main

if __name__ == "__main__":
    sys.exit(main())
