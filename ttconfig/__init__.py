"""ttconfig: risk configuration as code for the Trading Technologies platform."""

__version__ = "0.1.0"
