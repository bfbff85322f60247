"""The demo: a realistic generated portfolio and users for every role."""
