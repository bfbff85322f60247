"""The strategy's reads, tenant-scoped where they reach accounts.

``plan`` the plan and "why not?"; ``definitions`` segments, strategies and experiments with their
figures; ``work_queues`` the teams' queues.
"""
