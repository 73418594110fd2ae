"""Where a demand's pin lies: the province's county boundaries shipped with the app (static
`complaints/shandong-counties.json`, see its licence note), the bounding box a pin must fall in,
and the county that holds a point."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAP_FILE = Path(__file__).parent / "static" / "complaints" / "shandong-counties.json"
MAP_STATIC = "complaints/shandong-counties.json"
# The box is the boundaries' own extent widened by about 10 km: a pin on the coast or an island is
# kept, a pin in another province far away is refused.
MARGIN_DEGREES = 0.1
# The boundaries are simplified one county at a time, so neighbours leave slivers of up to a few
# hundred metres between them: a point in one belongs to the county with the nearest boundary point.
SLIVER_DEGREES = 0.01


@dataclass(frozen=True)
class County:
    code: str
    name: str
    polygons: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]  # polygons → rings → (lng, lat)
    box: tuple[float, float, float, float]  # min lng, min lat, max lng, max lat


def _polygons(geometry: dict) -> list:
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


@cache
def counties() -> tuple[County, ...]:
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        polygons = tuple(
            tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
            for polygon in _polygons(feature["geometry"])
        )
        xs = [x for polygon in polygons for x, _y in polygon[0]]
        ys = [y for polygon in polygons for _x, y in polygon[0]]
        out.append(
            County(
                feature["properties"]["code"],
                feature["properties"]["name"],
                polygons,
                (min(xs), min(ys), max(xs), max(ys)),
            )
        )
    return tuple(out)


@cache
def province_box() -> tuple[float, float, float, float]:
    """(min lng, min lat, max lng, max lat) a pin must fall in."""
    boxes = [c.box for c in counties()]
    return (
        min(b[0] for b in boxes) - MARGIN_DEGREES,
        min(b[1] for b in boxes) - MARGIN_DEGREES,
        max(b[2] for b in boxes) + MARGIN_DEGREES,
        max(b[3] for b in boxes) + MARGIN_DEGREES,
    )


def in_province_box(latitude: float, longitude: float) -> bool:
    west, south, east, north = province_box()
    return west <= longitude <= east and south <= latitude <= north


def _inside(ring: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def county_at(latitude: float, longitude: float) -> County | None:
    """The county whose boundary holds the point (outer ring in, no hole), else the county whose
    boundary passes within SLIVER_DEGREES of it, else None."""
    near = []
    for county in counties():
        west, south, east, north = county.box
        if not (
            west - SLIVER_DEGREES <= longitude <= east + SLIVER_DEGREES
            and south - SLIVER_DEGREES <= latitude <= north + SLIVER_DEGREES
        ):
            continue
        near.append(county)
        for polygon in county.polygons:
            if _inside(polygon[0], longitude, latitude) and not any(
                _inside(hole, longitude, latitude) for hole in polygon[1:]
            ):
                return county
    best, best_distance = None, SLIVER_DEGREES**2
    for county in near:
        for polygon in county.polygons:
            for x, y in polygon[0]:
                distance = (x - longitude) ** 2 + (y - latitude) ** 2
                if distance <= best_distance:
                    best, best_distance = county, distance
    return best
