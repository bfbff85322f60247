"""The strategy's writes, each in one transaction with its audit entry.

``plan`` runs the daily plan; ``results`` posts results back; ``definitions`` edits segments,
strategies, experiments and capacity; ``work_queues`` keeps the teams' work items.
"""
