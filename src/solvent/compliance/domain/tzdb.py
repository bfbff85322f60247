"""The IANA tz database as the engine reads it: valid names, links, and the countries of a zone.

Read from the pinned ``tzdata`` package (pyproject.toml), never from a hand list: ``zones`` names
every zone and link, ``tzdata.zi`` holds the links (``L America/New_York US/Eastern``), and
``zone.tab`` / ``zone1970.tab`` say which countries keep each zone. The files ship inside the
package, so the answer is the same on every machine whatever the system's own tz files say.

Loaded once, lazily (about a millisecond), then answered from memory: no I/O in a decision.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def _names() -> frozenset[str]:
    return frozenset(files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())


@cache
def _links() -> dict[str, str]:
    """Link name -> target, as ``tzdata.zi`` writes them (``L <target> <link>``)."""
    text = files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    links: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("L "):
            _, target, link = line.split()
            links[link] = target
    return links


def _read_tab(name: str) -> dict[str, tuple[str, ...]]:
    """Zone -> the country codes of its rows in one ``.tab`` file."""
    text = files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    countries: dict[str, dict[str, None]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        codes, _coordinates, zone_name = line.split("\t")[:3]
        countries.setdefault(zone_name, {}).update(dict.fromkeys(codes.split(",")))
    return {zone_name: tuple(codes) for zone_name, codes in countries.items()}


@cache
def _zone_tab() -> dict[str, tuple[str, ...]]:
    return _read_tab("zone.tab")


@cache
def _zone1970_tab() -> dict[str, tuple[str, ...]]:
    return _read_tab("zone1970.tab")


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code the tz database knows (``iso3166.tab``)."""
    text = files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    return frozenset(
        line.split("\t", 1)[0] for line in text.splitlines() if line and not line.startswith("#")
    )


@cache
def zones_of(country: str) -> tuple[str, ...]:
    """The zones ``zone.tab`` gives one country, in the file's order."""
    return tuple(name for name, codes in _zone_tab().items() if country in codes)


def version() -> str:
    """The tz database release the engine reads (for the decision log and the docs)."""
    text = files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    return text.split("\n", 1)[0].split()[-1]


def is_valid(name: str) -> bool:
    """Whether ``name`` is an IANA zone or link name (case-sensitive, as the database is)."""
    return name in _names()


@cache
def canonical(name: str) -> str:
    """The zone a link points to (``US/Eastern`` -> ``America/New_York``); a zone is itself."""
    links = _links()
    seen: set[str] = set()
    while name in links and name not in seen:
        seen.add(name)
        name = links[name]
    return name


@cache
def countries(name: str) -> tuple[str, ...]:
    """The countries that keep zone ``name``; empty for zones of no country (UTC, Etc/GMT+5).

    The name's own row wins: ``America/Atikokan`` is Canada's even though it links to
    ``America/Panama``. ``zone.tab`` (one country per row) is asked first because it says whose
    name a zone is; ``zone1970.tab`` lists every country sharing a zone since 1970 and would make a
    Toronto debtor a candidate for the Bahamas. A link found in neither follows its target.
    """
    current = name
    seen: set[str] = set()
    links = _links()
    while current not in seen:
        seen.add(current)
        for table in (_zone_tab(), _zone1970_tab()):
            if current in table:
                return table[current]
        if current not in links:
            return ()
        current = links[current]
    return ()
