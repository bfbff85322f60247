"""The debtor's own page: a signed link in every message opens it after a check (date of birth or
the last four digits); the debtor sees what is owed, pays, promises, chooses a plan, disputes, asks
us to stop or to use one channel, and chats with an agent (issue 13, ADR 0032; docs/portal.md).
"""
