"""Build the place labels of the web map's offline base layer: ``syr_places.geojson``.

Every label comes from data the package ships, no coordinate is typed by hand:

- the 14 governorates: the ACLED spelling of the name (``admin1`` of the shipped boundaries), placed
  at the point of the governorate's largest polygon farthest from its edge (so that the label sits
  well inside it), shown from the zoom at which the polygon is wide enough for the name;
- their capitals and the seats of the 62 districts: the gazetteer's ``capital_id`` of each admin1
  and admin2 entry, at that community's OCHA point, with its English and Arabic names (capitals
  always shown, district seats from zoom 8).

Reads ``src/marsad/data/gazetteer.json.gz`` and ``src/marsad/api/static/boundaries/syr_admin1.geojson``,
writes ``src/marsad/api/static/boundaries/syr_places.geojson``. ``tests/test_web.py`` checks every
town label against the gazetteer.

    python scripts/build_place_labels.py [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "marsad" / "api" / "static" / "boundaries"
BOUNDARIES = STATIC / "syr_admin1.geojson"
OUT = STATIC / "syr_places.geojson"
GAZETTEER = ROOT / "src" / "marsad" / "data" / "gazetteer.json.gz"
#: zooms of the web map: the smallest, and the one from which district seats are labelled
MIN_ZOOM, TOWN_ZOOM, MAX_LABEL_ZOOM = 5, 8, 10
#: the zoom at which governorate labels are laid out clear of the capitals' labels (the page's
#: first view of the whole country)
LAYOUT_ZOOM = 6.5
#: width of a governorate label in pixels per character (12 px capitals, letter-spaced; see marsad.css)
PX_PER_CHAR = 9.0

Ring = list[list[float]]


def _inside(x: float, y: float, rings: list[Ring]) -> bool:
    """Even-odd rule over a polygon's rings (outer ring and holes)."""
    inside = False
    for ring in rings:
        j = len(ring) - 1
        for i in range(len(ring)):
            xi, yi = ring[i]
            xj, yj = ring[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
    return inside


def _edge_distance(x: float, y: float, rings: list[Ring], kx: float) -> float:
    """Distance in degrees of latitude from (x, y) to the nearest edge (longitudes scaled by kx)."""
    best = math.inf
    for ring in rings:
        for (ax, ay), (bx, by) in zip(ring, ring[1:], strict=False):
            ax, bx, px = ax * kx, bx * kx, x * kx
            dx, dy = bx - ax, by - ay
            t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
            best = min(best, (px - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2)
    return math.sqrt(best)


def _segment_distance(x: float, y: float, half: float, seg: tuple[float, float, float], kx: float) -> float:
    """Distance in degrees of latitude between a label centred on (x, y), ``half`` degrees of
    longitude either side, and a horizontal segment (lon0, lon1, lat)."""
    lon0, lon1, lat = seg
    gap = max(0.0, lon0 - (x + half), (x - half) - lon1)
    return math.hypot(gap * kx, y - lat)


def label_point(rings: list[Ring], avoid: list[tuple[float, float, float]] = (),
                half: float = 0.0) -> tuple[float, float, float]:
    """(lon, lat, clearance): the point of the polygon farthest from its edge and, for a label
    ``half`` degrees of longitude either side of it, from the town labels ``avoid`` (horizontal
    segments), by a grid search refined three times around the best point; clearance (from the
    edge only) in degrees of latitude."""
    xs = [p[0] for p in rings[0]]
    ys = [p[1] for p in rings[0]]
    kx = math.cos(math.radians((min(ys) + max(ys)) / 2))
    best = (sum(xs) / len(xs), sum(ys) / len(ys), -1.0)
    best_score = -1.0
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    for _ in range(4):
        n = 24
        for i in range(n + 1):
            for j in range(n + 1):
                x, y = x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * j / n
                if _inside(x, y, rings):
                    d = _edge_distance(x, y, rings, kx)
                    score = min([d] + [2 * _segment_distance(x, y, half, seg, kx) for seg in avoid])
                    if score > best_score:
                        best, best_score = (x, y, d), score
        wx, wy = (x1 - x0) / 6, (y1 - y0) / 6
        x0, x1, y0, y1 = best[0] - wx, best[0] + wx, best[1] - wy, best[1] + wy
    return round(best[0], 4), round(best[1], 4), best[2]


def min_zoom_for(name: str, clearance: float) -> float:
    """The first half zoom at which a label of ``name`` fits (mostly) inside a circle of radius ``clearance``."""
    width = PX_PER_CHAR * len(name)
    for tenth in range(MIN_ZOOM * 2, MAX_LABEL_ZOOM * 2 + 1):
        zoom = tenth / 2
        px_per_degree = 256 * 2 ** zoom / 360
        if 3.5 * clearance * px_per_degree >= width:
            return zoom
    return MAX_LABEL_ZOOM


def build() -> dict:
    places = json.loads(gzip.decompress(GAZETTEER.read_bytes()))
    by_id = {p["id"]: p for p in places}
    boundaries = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    capitals = [by_id[p["capital_id"]] for p in places if p["feature_type"] == "admin1" and p.get("capital_id") in by_id]
    # the capitals' labels (a dot, then the name to the right) as segments to keep away from
    deg = 360 / (256 * 2 ** LAYOUT_ZOOM)
    avoid = [(c["lon"] - 4 * deg, c["lon"] + (10 + 7 * len(c["name_en"])) * deg, c["lat"]) for c in capitals]
    features = []
    for f in boundaries["features"]:
        geom = f["geometry"]
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        largest = max(polygons, key=lambda rings: len(rings[0]))
        name = f["properties"]["admin1"]
        lon, lat, clearance = label_point(largest, avoid, half=PX_PER_CHAR * len(name) / 2 * deg)
        features.append(_feature(lon, lat, kind="governorate", name=name, name_ar=f["properties"]["NAME_ARA"],
                                 admin1=name, pcode=f["properties"]["PCODE"], min_zoom=min_zoom_for(name, clearance)))
    seen = set()
    for level, kind, zoom in (("admin1", "capital", MIN_ZOOM), ("admin2", "town", TOWN_ZOOM)):
        for area in sorted((p for p in places if p["feature_type"] == level), key=lambda p: p["pcode"]):
            town = by_id.get(area.get("capital_id") or "")
            if town is None or town["id"] in seen:
                continue
            seen.add(town["id"])
            features.append(_feature(town["lon"], town["lat"], kind=kind, name=town["name_en"], name_ar=town["name_ar"],
                                     admin1=town["admin1"], gazetteer_id=town["id"], min_zoom=zoom))
    return {"type": "FeatureCollection",
            "source": "scripts/build_place_labels.py: governorates from syr_admin1.geojson, their capitals and the "
                      "district seats from the packaged gazetteer (capital_id of each admin1 and admin2 entry)",
            "features": features}


def _feature(lon: float, lat: float, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": props}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    fc = build()
    args.out.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    kinds: dict[str, int] = {}
    for f in fc["features"]:
        kinds[f["properties"]["kind"]] = kinds.get(f["properties"]["kind"], 0) + 1
    print(f"wrote {args.out}: {kinds}")


if __name__ == "__main__":
    main()
