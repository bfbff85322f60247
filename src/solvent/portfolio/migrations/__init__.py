"""Schema migrations of the portfolio app."""
