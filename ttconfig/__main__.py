"""`python -m ttconfig` runs the command line."""

from ttconfig.cli import main

main()
