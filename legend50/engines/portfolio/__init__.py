"""Portfolio selection: which regional project proposals to fund under multi-year budgets.

    from legend50.engines.portfolio import PortfolioProblem, solve_portfolio
    result = solve_portfolio(PortfolioProblem(value=v, cost=c, budget=b, group=g, ...))

``greedy_portfolio`` is the ranked-list baseline shown beside the optimum; ``explain_exclusions`` says,
for each eligible proposal left out, what would have had to change for it to get in.
"""

from .diagnose import diagnose_infeasibility
from .explain import Exclusion, explain_exclusions
from .model import check_selection
from .problem import PortfolioProblem, PortfolioResult
from .solver import greedy_portfolio, solve_portfolio

__all__ = [
    "Exclusion",
    "PortfolioProblem",
    "PortfolioResult",
    "check_selection",
    "diagnose_infeasibility",
    "explain_exclusions",
    "greedy_portfolio",
    "solve_portfolio",
]
