"""The dialer: pacing and a floor simulation for now (``domain``); no telephony adapter exists yet."""
