"""The portfolio app: clients, placements, accounts and debtors with their contact points, access
rules, imports and the synthetic portfolio generator."""
