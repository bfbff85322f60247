"""Pure dialer models (no Django): pacing policies, the clairvoyant bound and a SimPy floor simulation."""
