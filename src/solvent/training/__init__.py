"""The practice floor: new agents work simulated debtors, coached live, scored with the QA scorecard."""
