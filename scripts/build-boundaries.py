#!/usr/bin/env python3
"""Rebuild Sinergi's embedded region boundaries from cahyadsn/wilayah_boundaries (MIT).

    python3 scripts/build-boundaries.py [GEO_DIR]   # default ../shared/data/geo

Reads the simplified TopoJSON files (provinsi_38_s20, kabkota_514_s30, kecamatan_{52,33,63})
and writes crates/refdata/data/batas.tsv.gz, one region per line:

    code<TAB>decimals<TAB>polygon|polygon…

a polygon is rings separated by `;`, a ring is integers `x0,y0,dx1,dy1,…`: longitude and
latitude times 10^decimals, each point after the first as a difference from the one before.
Provinces (only drawn for the whole country) and kab/kota are thinned further with
Douglas–Peucker and islands below the tolerance are dropped; kecamatan keep their points.
gzip with a fixed timestamp, so reruns are byte-identical.
"""
import gzip, io, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crates", "refdata", "data", "batas.tsv.gz")
GEO = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "..", "shared", "data", "geo")
# (file, decimals, Douglas–Peucker tolerance in degrees, expected features)
SOURCES = [
    ("simplified/provinsi_38_s20.topojson", 2, 0.02, 38),
    ("simplified/kabkota_514_s30.topojson", 3, 0.003, 514),
    ("simplified/kecamatan_52.topojson", 4, 0.0, 117),
    ("simplified/kecamatan_33.topojson", 4, 0.0, 576),
    ("simplified/kecamatan_63.topojson", 4, 0.0, 156),
]


def decode_arcs(topo):
    t = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if t:
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * t["scale"][0] + t["translate"][0], y * t["scale"][1] + t["translate"][1]))
        else:
            pts = [tuple(p[:2]) for p in arc]
        arcs.append(pts)
    return arcs


def ring(arcs, indexes):
    out = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        out.extend(pts if not out else pts[1:])
    return out


def dp(points, tol):
    """Douglas–Peucker on an open polyline; keeps both ends."""
    if tol <= 0 or len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, idx = d, i
        if idx > 0 and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(points, keep) if k]


def area(points):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))) / 2


def encode(points, decimals):
    f = 10 ** decimals
    q = []
    for x, y in points:
        p = (round(x * f), round(y * f))
        if not q or q[-1] != p:
            q.append(p)
    if len(q) > 1 and q[0] == q[-1]:
        q.pop()
    if len(q) < 3:
        return None
    out = [q[0][0], q[0][1]]
    for (x0, y0), (x1, y1) in zip(q, q[1:]):
        out += [x1 - x0, y1 - y0]
    return ",".join(map(str, out))


def main():
    lines = []
    for name, decimals, tol, expected in SOURCES:
        topo = json.load(open(os.path.join(GEO, name)))
        arcs = decode_arcs(topo)
        (obj,) = topo["objects"].values()
        features = obj["geometries"]
        assert len(features) == expected, f"{name}: {len(features)} features, expected {expected}"
        for g in features:
            code = g["properties"]["kode"].strip()
            polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
            rings_out = []
            largest = None
            for poly in polys:
                enc_rings = []
                for k, idx in enumerate(poly):
                    pts = ring(arcs, idx)
                    if tol and area(pts) < tol * tol * 4:
                        if k == 0 and (largest is None or area(pts) > largest[0]):
                            largest = (area(pts), pts)
                        continue
                    pts = dp(pts, tol)
                    enc = encode(pts, decimals)
                    if enc:
                        enc_rings.append(enc)
                    elif k == 0:
                        break
                if enc_rings:
                    rings_out.append(";".join(enc_rings))
            if not rings_out and largest:
                # Every island is tiny: keep the biggest, so the region is still drawn.
                rings_out = [r for r in [encode(largest[1], decimals)] if r]
            assert rings_out, f"{code}: no ring left"
            lines.append(f"{code}\t{decimals}\t{'|'.join(rings_out)}")
    lines.sort(key=lambda l: l.split("\t")[0])
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(lines) + "\n").encode())
    open(OUT, "wb").write(buf.getvalue())
    print(f"{OUT}: {len(lines)} regions, {len(buf.getvalue())} bytes")


if __name__ == "__main__":
    main()
