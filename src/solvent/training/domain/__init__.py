"""The practice floor's rules, pure: the debtor model (moved from the strategy benchmark), the
scenarios, the simulated world and its JSON, the actions, the live coaching (the compliance engine
and the conversation rules), the scripted replies, one turn of a call, and the scoring."""
