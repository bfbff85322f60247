"""The strategy's writes, each in one transaction with its audit entry.

``plan`` runs the daily plan; ``results`` posts results back; ``definitions`` edits segments,
strategies, experiments and capacity; ``work_queues`` keeps the teams' work items.
"""

from solvent.strategy.services.plan import PlanSummary, plan_run
from solvent.strategy.services.results import ResultsSummary, plan_results_import, plan_results_post

__all__ = [
    "PlanSummary",
    "ResultsSummary",
    "plan_results_import",
    "plan_results_post",
    "plan_run",
]
