"""The throwaway PostgreSQL database a benchmark makes: its URL on the server the admin URL names."""

from __future__ import annotations


def database_url(admin_url: str, database: str) -> str:
    """A URL for ``database`` with the admin URL's user, password, host and port."""
    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(admin_url)
    user = info.get("user", "postgres")
    password = f":{info['password']}" if info.get("password") else ""
    host = info.get("host", "127.0.0.1")
    return f"postgres://{user}{password}@{host}:{info.get('port', 5432)}/{database}"
