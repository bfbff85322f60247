"""The agent desk: server-rendered pages (HTMX) for account search and the one-screen account view."""
