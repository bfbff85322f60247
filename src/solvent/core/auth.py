"""Login throttling for every password login (the desk's and the back office's): one backend.

Both login pages go through `django.contrib.auth.authenticate`, so throttling here covers them both.
A throttled login is refused even with the right password: otherwise guessing simply continues.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from solvent.core import clock
from solvent.core.selectors import login_is_throttled
from solvent.core.services import login_failure_record


def client_address(request: HttpRequest | None) -> str:
    """REMOTE_ADDR: behind a proxy, the proxy (gunicorn's forwarded_allow_ips) must set it."""
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        name = username or ""
        address = client_address(request)
        now = clock.now()
        if login_is_throttled(username=name, address=address, now=now):
            login_failure_record(username=name, address=address, now=now, refused=True)
            # PermissionDenied stops authenticate() from trying any other backend.
            raise PermissionDenied("too many failed logins; try again later")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            login_failure_record(username=name, address=address, now=now, refused=False)
        return user
