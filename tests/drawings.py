"""Generated dense drawings: a sheet of rooms, duct runs, hatching and labels.

The benchmark needs a drawing as heavy as a real ARCH D mechanical sheet (tens of
thousands of vector paths, hundreds of labels) and the tests a small one of the
same kind; both are written here as plain PDF bytes, so no drawing has to ship in
the repository and the same seed always gives the same file.
"""

from __future__ import annotations

import random
from typing import Final

#: ARCH D, 36 x 24 inches, in PDF points.
ARCH_D: Final = (2592.0, 1728.0)
#: A small sheet for tests: ARCH A (12 x 9 inches).
ARCH_A: Final = (864.0, 648.0)


def dense_drawing(
    *,
    size: tuple[float, float] = ARCH_D,
    paths: int = 20_000,
    labels: int = 800,
    pages: int = 1,
    seed: int = 15,
) -> bytes:
    """PDF bytes of *pages* sheets, each with at least *paths* stroked paths and *labels* texts.

    Labels read ``RM 101``, ``AHU-0001`` … so text search has known words to find;
    label ``n`` is ``AHU-{n:04d}`` for odd n and ``RM {100 + n}`` for even n.
    """
    width, height = size
    rng = random.Random(seed)
    streams = [_sheet(rng, width, height, paths, labels) for _ in range(pages)]
    return _pdf(width, height, streams)


def _sheet(rng: random.Random, width: float, height: float, paths: int, labels: int) -> bytes:
    out: list[str] = ["0.2 w 0 0 0 RG"]
    margin = 36.0
    # Title block and border: a few heavy paths.
    out.append(f"2 w {margin} {margin} {width - 2 * margin} {height - 2 * margin} re S 0.2 w")
    drawn = 1
    # Room grid: walls as rectangles.
    cols = max(2, int((width - 2 * margin) // 144))
    rows = max(2, int((height - 2 * margin) // 120))
    cell_w = (width - 2 * margin) / cols
    cell_h = (height - 2 * margin) / rows
    for col in range(cols):
        for row in range(rows):
            x = margin + col * cell_w
            y = margin + row * cell_h
            out.append(f"0.8 w {x:.2f} {y:.2f} {cell_w:.2f} {cell_h:.2f} re S 0.2 w")
            drawn += 1
    # Hatching and duct runs: short strokes, each its own path.
    while drawn < paths:
        x = rng.uniform(margin, width - margin)
        y = rng.uniform(margin, height - margin)
        dx = rng.uniform(-18, 18)
        dy = rng.uniform(-18, 18)
        if drawn % 7 == 0:
            grey = rng.choice(("0.5", "0.3", "0.7"))
            out.append(f"{grey} G {x:.2f} {y:.2f} m {x + dx:.2f} {y + dy:.2f} l S 0 G")
        else:
            out.append(f"{x:.2f} {y:.2f} m {x + dx:.2f} {y + dy:.2f} l S")
        drawn += 1
    out.append("BT /F1 7 Tf")
    for number in range(labels):
        text = f"AHU-{number:04d}" if number % 2 else f"RM {100 + number}"
        x = margin + 4 + (number % cols) * cell_w + rng.uniform(0, cell_w - 60)
        y = margin + 4 + ((number // cols) % rows) * cell_h + rng.uniform(0, cell_h - 16)
        out.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm ({text}) Tj")
    out.append("ET")
    return "\n".join(out).encode("ascii")


def _pdf(width: float, height: float, streams: list[bytes]) -> bytes:
    """A minimal, valid PDF (catalog, pages, Helvetica, one content stream per page)."""
    count = len(streams)
    page_ids = [4 + 2 * i for i in range(count)]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{p} 0 R".encode() for p in page_ids)
        + f"] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, stream in enumerate(streams):
        content_id = page_ids[index] + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    body = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref_at = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return bytes(body)
