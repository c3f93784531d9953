"""c360: the command line and Python tooling of the customer 360 dbt project."""

__version__ = "0.1.0"
