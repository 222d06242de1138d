"""K-SME 50+ indicators: the four national shares, a sample microdata generator, trajectories to 2027.

>>> from legend50.engines.indicators import compute_ksme_indicators
>>> compute_ksme_indicators("firms.parquet", year=2022)["sme_sales_share"]  # doctest: +SKIP
"""

from .compute import AMOUNT_COLUMNS, REQUIRED_COLUMNS, SHARE_NAMES, compute_ksme_indicators
from .microdata import (
    MICRODATA_SCHEMA,
    YearTargets,
    default_targets,
    generate_microdata,
    iter_microdata_batches,
    write_microdata_parquet,
)
from .regions import CAPITAL_REGION_CODES
from .trajectory import Trajectory, TrajectoryPoint, fit_trajectory

__all__ = [
    "AMOUNT_COLUMNS",
    "CAPITAL_REGION_CODES",
    "MICRODATA_SCHEMA",
    "REQUIRED_COLUMNS",
    "SHARE_NAMES",
    "Trajectory",
    "TrajectoryPoint",
    "YearTargets",
    "compute_ksme_indicators",
    "default_targets",
    "fit_trajectory",
    "generate_microdata",
    "iter_microdata_batches",
    "write_microdata_parquet",
]
