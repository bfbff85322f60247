"""The compliance app: the pure rule engine (``domain``), the gate every contact passes
(``services``), the records it decides on, the planning-day batch path (``eligibility``) and the API."""
