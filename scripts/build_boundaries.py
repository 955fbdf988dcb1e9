"""Build the web map's offline base layer: Syria's governorates (admin1) as a small GeoJSON file.

Reads OCHA's admin1 boundaries from ``../shared/data/gazetteer/boundaries/syr_admin1.geojson``,
simplifies each ring (Douglas-Peucker, then coordinates rounded to a few decimals), keeps the
names and P-codes, adds ``admin1`` (the ACLED spelling the events use, from the gazetteer by
P-code) and writes ``src/marsad/api/static/boundaries/syr_admin1.geojson``.

    python scripts/build_boundaries.py [--src FILE] [--out FILE] [--tolerance 0.001] [--decimals 4]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT.parent / "shared" / "data" / "gazetteer" / "boundaries" / "syr_admin1.geojson"
OUT = ROOT / "src" / "marsad" / "api" / "static" / "boundaries" / "syr_admin1.geojson"
GAZETTEER = ROOT / "src" / "marsad" / "data" / "gazetteer.json.gz"
KEEP = ("NAME_EN", "NAME_ARA", "PCODE")

Point = list[float]


def _perp_dist2(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    if dx == 0 and dy == 0:
        return (p[0] - ax) ** 2 + (p[1] - ay) ** 2
    t = max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)))
    return (p[0] - ax - t * dx) ** 2 + (p[1] - ay - t * dy) ** 2


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Iterative Douglas-Peucker on a polyline (first and last points kept)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    tol2 = tolerance * tolerance
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        best, best_k = 0.0, -1
        for k in range(i + 1, j):
            d = _perp_dist2(points[k], points[i], points[j])
            if d > best:
                best, best_k = d, k
        if best_k >= 0 and best > tol2:
            keep[best_k] = True
            stack.extend(((i, best_k), (best_k, j)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: list[Point], tolerance: float, decimals: int) -> list[Point] | None:
    pts = douglas_peucker([[float(x), float(y)] for x, y, *_ in ring], tolerance)
    out: list[Point] = []
    for x, y in pts:
        q = [round(x, decimals), round(y, decimals)]
        if not out or q != out[-1]:
            out.append(q)
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    return out if len(out) >= 4 else None  # a ring that collapsed is dropped


def simplify_geometry(geom: dict, tolerance: float, decimals: int) -> dict | None:
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    out = []
    for poly in polys:
        rings = [simplify_ring(r, tolerance, decimals) for r in poly]
        if rings and rings[0]:
            out.append([rings[0]] + [r for r in rings[1:] if r])
    if not out:
        return None
    if len(out) == 1:
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}


def acled_names() -> dict[str, str]:
    """admin1 P-code -> the admin1 name the events carry (the gazetteer's ACLED spelling)."""
    if not GAZETTEER.exists():
        return {}
    with gzip.open(GAZETTEER, "rt", encoding="utf-8") as fh:
        return {e["admin1_pcode"]: e["admin1"] for e in json.load(fh) if e.get("admin1_pcode") and e.get("admin1")}


def build(src: Path, out: Path, tolerance: float, decimals: int) -> dict:
    data = json.loads(src.read_text(encoding="utf-8"))
    names = acled_names()
    features = []
    for f in data["features"]:
        geom = simplify_geometry(f["geometry"], tolerance, decimals)
        if geom is None:
            continue
        props = {k: f["properties"].get(k) for k in KEEP}
        props["admin1"] = names.get(props["PCODE"]) or f["properties"].get("NAM_EN_REF") or props["NAME_EN"]
        features.append({"type": "Feature", "properties": props, "geometry": geom})
    features.sort(key=lambda f: f["properties"]["PCODE"])
    fc = {"type": "FeatureCollection",
          "source": "OCHA Syria admin1 boundaries (syr_admbnda_adm1_uncs_unocha_20201217), simplified "
                    f"by scripts/build_boundaries.py (tolerance {tolerance} deg, {decimals} decimals)",
          "features": features}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return fc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=SRC)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--tolerance", type=float, default=0.001, help="Douglas-Peucker tolerance in degrees")
    ap.add_argument("--decimals", type=int, default=4, help="decimals kept per coordinate (4 = about 10 m)")
    args = ap.parse_args()
    fc = build(args.src, args.out, args.tolerance, args.decimals)
    n = sum(len(r) for f in fc["features"] for poly in (
        [f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"])
        for r in poly)
    print(f"{args.out}: {len(fc['features'])} governorates, {n} vertices, {args.out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
