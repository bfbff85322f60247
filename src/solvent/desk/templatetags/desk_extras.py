"""Small template filters of the desk: a time-zone id as a place a person reads."""

from __future__ import annotations

from django import template

from solvent.desk.presenters import place_name

register = template.Library()


@register.filter
def places(zones: list[str] | tuple[str, ...]) -> str:
    """``["Europe/Isle_of_Man"]`` -> "Isle of Man"."""
    return ", ".join(place_name(zone) for zone in zones or ())


@register.filter
def place(zone: str) -> str:
    """``"America/Boise"`` -> "Boise"."""
    return place_name(zone) if zone else ""
