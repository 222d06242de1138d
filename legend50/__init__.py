"""Legend50: the platform for the 레전드 50⁺ central–local cooperative SME program."""

__version__ = "0.1.0"
