"""Run the geolens command line: python -m geolens ..."""

import sys

from geolens.cli import main

if __name__ == "__main__":
    sys.exit(main())
