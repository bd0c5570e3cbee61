#!/usr/bin/env python3
"""The Python sides of `scripts/bench-load`, and its table.

    bench_load.py pyarrow DIR      # pyarrow: read every file, concat, one N x D float32 array
    bench_load.py geopandas DIR [--pickle P]  # the seed notebook's path (and its pickle)
    bench_load.py seed-reload P    # the seed's cache: unpickle P, stack the embeddings
    bench_load.py table RESULT...  # one markdown table from the JSON records of every run

`pyarrow` and `geopandas` each print one JSON record (seconds, peak RSS) on stdout; run each
in a fresh process so the peak RSS is that path's own. Imports are timed apart (`import_s`)
and not counted in `seconds`, which runs from the first file read to the array in memory.

Both paths end where Loupe's load ends: every file read and the embeddings in one contiguous
float32 N x D array. pyarrow's path is the fair fast one: `pq.read_table` per file (pyarrow
decodes columns on its own thread pool), `pa.concat_tables` (zero-copy), then each chunk's
flattened values copied once into a preallocated array. The GeoPandas path is the seed
notebook's: `geopandas.read_parquet` per file, `pd.to_datetime` on the date column, the
`mgrs`/`mindate`/`maxdate`/`version` columns parsed from the Clay file name, `pd.concat`, and
the embeddings turned into one array row by row (`np.stack(gdf.embeddings.apply(np.array))`).
"""

import argparse
import glob
import json
import os
import resource
import statistics
import sys
import time

T_START = time.perf_counter()
import numpy as np  # noqa: E402  (imports are timed)
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

EXTENSIONS = (".gpq", ".parquet", ".geoparquet")
# Table rows, in order: Loupe's three modes (`loupe-bench load`), then the Python paths.
NAMES = {
    "loupe": "Loupe (cache off)",
    "loupe-cache-write": "Loupe, first open writing the cache",
    "loupe-cached": "Loupe, cached reopen",
    "pyarrow": "pyarrow",
    "geopandas": "GeoPandas + per-row (seed)",
    "seed-reload": "the seed's pickle, reloaded",
}


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def list_files(folder):
    files = sorted(
        p for p in glob.glob(os.path.join(folder, "*")) if p.lower().endswith(EXTENSIONS)
    )
    if not files:
        sys.exit(f"{folder} holds no .gpq or .parquet files")
    return files


def load_pyarrow(files):
    tables = [pq.read_table(f) for f in files]
    table = pa.concat_tables(tables)
    embeddings = table.column("embeddings")
    dim = len(embeddings.chunk(0)[0])
    out = np.empty((table.num_rows, dim), dtype=np.float32)
    row = 0
    for chunk in embeddings.chunks:
        values = chunk.flatten().to_numpy(zero_copy_only=False)
        out[row : row + len(chunk)] = values.reshape(len(chunk), dim)
        row += len(chunk)
    return table, out


def load_geopandas(files):
    import geopandas as gpd
    import pandas as pd

    frames = []
    for f in files:
        gdf = gpd.read_parquet(f)
        gdf["date"] = pd.to_datetime(gdf["date"])
        stem = os.path.splitext(os.path.basename(f))[0]
        mgrs, mindate, maxdate, version = stem.split("_")
        gdf["mgrs"] = mgrs
        gdf["mindate"] = pd.to_datetime(mindate, format="%Y%m%d")
        gdf["maxdate"] = pd.to_datetime(maxdate, format="%Y%m%d")
        gdf["version"] = version
        frames.append(gdf)
    gdf = pd.concat(frames, ignore_index=True)
    embeddings = np.stack(gdf["embeddings"].apply(np.array))
    return gdf, embeddings


def reload_pickle(path):
    """The seed's reopen: its pickled GeoDataFrame back, the embeddings stacked again."""
    import pandas as pd

    gdf = pd.read_pickle(path)
    embeddings = np.stack(gdf["embeddings"].apply(np.array))
    return gdf, embeddings


def measure(tool, folder, pickle_path=None):
    import_s = time.perf_counter() - T_START
    if tool in ("geopandas", "seed-reload"):
        t = time.perf_counter()
        import geopandas  # noqa: F401
        import pandas  # noqa: F401

        import_s += time.perf_counter() - t
    files = [folder] if tool == "seed-reload" else list_files(folder)
    start = time.perf_counter()
    if tool == "pyarrow":
        table, embeddings = load_pyarrow(files)
        columns = table.num_columns
    elif tool == "seed-reload":
        table, embeddings = reload_pickle(folder)
        columns = len(table.columns)
    else:
        table, embeddings = load_geopandas(files)
        columns = len(table.columns)
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    assert embeddings.dtype == np.float32 and embeddings.flags["C_CONTIGUOUS"]
    record = {
        "tool": tool,
        "files": len(files),
        "rows": int(embeddings.shape[0]),
        "dim": int(embeddings.shape[1]),
        "columns": columns,
        "seconds": seconds,
        "import_s": import_s,
        "peak_rss_mib": peak,
        "versions": f"pyarrow {pa.__version__}, numpy {np.__version__}",
    }
    if tool in ("geopandas", "seed-reload"):
        import geopandas
        import pandas

        record["versions"] += f", geopandas {geopandas.__version__}, pandas {pandas.__version__}"
        if pickle_path:
            t = time.perf_counter()
            table.to_pickle(pickle_path)
            record["pickle_s"] = time.perf_counter() - t
    return record


def median(records, key):
    values = [r[key] for r in records if isinstance(r.get(key), (int, float))]
    return statistics.median(values) if values else None


def table(paths):
    by_tool = {}
    for path in paths:
        with open(path) as f:
            record = json.load(f)
        by_tool.setdefault(record["tool"], []).append(record)
    loupe = median(by_tool.get("loupe", []), "seconds")
    first = next(iter(by_tool.values()))[0]
    lines = [
        f"Folder load: {first['files']} files, {first['rows']:,} rows, {first['dim']}-d float32 "
        f"embeddings, WKB polygons, dates, source URLs. Times are medians over runs (tools "
        f"alternated, page cache warm); peak RSS is each process's high-water mark.",
        "",
        "| tool | runs | time (s) | peak RSS (MiB) | time ÷ Loupe (cache off) |",
        "|---|---|---|---|---|",
    ]
    for tool, name in NAMES.items():
        records = by_tool.get(tool)
        if not records:
            continue
        s = median(records, "seconds")
        rss = median(records, "peak_rss_mib")
        ratio = f"**{s / loupe:.2f}×**" if loupe and tool != "loupe" else ""
        lines.append(f"| {name} | {len(records)} | {s:.2f} | {rss:.0f} | {ratio} |")
    lines.append("")
    pyarrow, geo = median(by_tool.get("pyarrow", []), "seconds"), median(
        by_tool.get("geopandas", []), "seconds"
    )
    floors = []
    if loupe and pyarrow:
        ok = loupe <= pyarrow
        floors.append(f"Loupe ≤ 1.0 × pyarrow: {'PASS' if ok else 'FAIL'} ({loupe / pyarrow:.2f}×)")
    if loupe and geo:
        ok = geo / loupe >= 20
        floors.append(f"≥ 20 × faster than GeoPandas: {'PASS' if ok else 'FAIL'} ({geo / loupe:.1f}×)")
    cached = median(by_tool.get("loupe-cached", []), "seconds")
    if cached is not None:
        floors.append(f"cached reopen < 1 s: {'PASS' if cached < 1 else 'FAIL'} ({cached:.2f} s)")
    lines.append("Floors: " + "; ".join(floors) + ".")
    reload = median(by_tool.get("seed-reload", []), "seconds")
    if cached and (geo or reload):
        against = []
        if geo:
            against.append(f"{geo / cached:.0f}× faster than the GeoPandas path")
        if reload:
            against.append(f"{reload / cached:.0f}× faster than reloading the seed's pickle")
        lines.append("Reopening (what users do every day): Loupe's cached reopen is " + " and ".join(against) + ".")
    versions = sorted({r["versions"] for rs in by_tool.values() for r in rs if "versions" in r})
    if versions:
        lines.append("Python: " + " / ".join(versions) + ".")
    cold = by_tool.get("loupe", [])
    if cold:
        lines.append(
            f"Loupe: {cold[0].get('method', '')}, {cold[0].get('threads', 0):.0f} threads; "
            f"cache off, its own split (medians): reading files {median(cold, 'files_s'):.2f} s, "
            f"combining {median(cold, 'combine_s'):.2f} s."
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for tool in ("pyarrow", "geopandas", "seed-reload"):
        p = sub.add_parser(tool)
        p.add_argument("dir", help="the folder (or, for seed-reload, the pickle)")
        if tool == "geopandas":
            p.add_argument("--pickle", help="also time GeoDataFrame.to_pickle to this path")
    p = sub.add_parser("table")
    p.add_argument("results", nargs="+")
    args = parser.parse_args()
    if args.command == "table":
        sys.stdout.write(table(args.results))
    else:
        record = measure(args.command, args.dir, getattr(args, "pickle", None))
        print(json.dumps(record))


if __name__ == "__main__":
    main()
