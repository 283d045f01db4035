"""Charts as files: the chart's Vega-Lite spec rendered by vl-convert, with no browser.

vl-convert bundles the same Vega and Vega-Lite as the pages load (web/static/vendor), so a
chart in a file is the chart in the page. Each file carries the chart's title and text
alternative: an SVG as its ``<title>`` and ``<desc>``, a PNG as its Title and Description
text chunks.
"""

from __future__ import annotations

import html
import struct
import zlib
from pathlib import Path

import vl_convert as vlc

from keepword.adapters.files import write_atomically
from keepword.domain.errors import InvalidValue
from keepword.reports.charts import Chart

VEGA_LITE_VERSION = "6.4"  # the vendored vega-lite-6.4.1
PNG_SCALE = 2  # pixels per point: sharp on high-density screens and in print
SUFFIXES = (".svg", ".png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def to_svg(chart: Chart) -> str:
    """The chart as an SVG document, titled and described for screen readers."""
    svg = vlc.vegalite_to_svg(chart.spec, vl_version=VEGA_LITE_VERSION)
    opening = svg.index(">", svg.index("<svg")) + 1
    labelled = (
        f'<title id="{chart.name}-title">{html.escape(chart.title, quote=False)}</title>'
        f'<desc id="{chart.name}-desc">{html.escape(chart.description, quote=False)}</desc>'
    )
    root = svg[: opening - 1] + (
        f' role="img" aria-labelledby="{chart.name}-title {chart.name}-desc">'
    )
    return root + labelled + svg[opening:]


def to_png(chart: Chart) -> bytes:
    """The chart as a PNG image at twice its size, with its title and description inside."""
    png = bytes(vlc.vegalite_to_png(chart.spec, scale=PNG_SCALE, vl_version=VEGA_LITE_VERSION))
    # Text chunks go right after the header chunk (IHDR: 8 + 4 + 4 + 13 + 4 bytes).
    header_end = len(PNG_SIGNATURE) + 25
    chunks = _text_chunk("Title", chart.title) + _text_chunk("Description", chart.description)
    return png[:header_end] + chunks + png[header_end:]


def check_suffix(path: Path) -> str:
    """The format ``path`` asks for (``svg`` or ``png``); any other suffix is refused."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidValue(
            f"{path}: cannot write a chart as {suffix or 'a file without a suffix'}; "
            f"use {' or '.join(SUFFIXES)}",
            "path",
        )
    return suffix[1:]


def write_chart(chart: Chart, path: Path | str) -> Path:
    """Write the chart to ``path`` as SVG or PNG, chosen by its suffix; returns the path."""
    path = Path(path)
    data = to_svg(chart).encode("utf-8") if check_suffix(path) == "svg" else to_png(chart)
    write_atomically(path, data)
    return path


def _text_chunk(keyword: str, text: str) -> bytes:
    """A PNG iTXt chunk (UTF-8 text, uncompressed), as the PNG specification §11.3.3.4 has it."""
    # keyword, NUL, compression flag and method (none), empty language tag and translated
    # keyword (each NUL-terminated), then the text.
    data = keyword.encode("latin-1") + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + text.encode()
    kind = b"iTXt"
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
