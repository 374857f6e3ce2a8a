"""Copy the front-end files sotong serves from node_modules into src/sotong/static/vendor.

Run by `make static` after `npm ci`; the copies are build output and never committed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "sotong" / "static" / "vendor"

# (source under node_modules, destination under static/vendor)
FILES = [
    ("krds-uiux/resources/cdn/krds.min.css", "krds/krds.min.css"),
    ("krds-uiux/resources/cdn/krds.min.js", "krds/krds.min.js"),
    ("krds-uiux/resources/fonts", "krds/fonts"),
    ("krds-uiux/resources/img", "krds/img"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("alpinejs/dist/cdn.min.js", "alpinejs/alpine.min.js"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
]


# krds.min.css points its icons at the KRDS web site; served pages must not reach third-party hosts.
KRDS_REMOTE_IMAGES = "https://www.krds.go.kr/resources/img/"


def localise_krds_css(path: Path) -> None:
    """Point the KRDS stylesheet's icon URLs at the copied `img/` folder beside it."""
    css = path.read_text(encoding="utf-8")
    path.write_text(css.replace(KRDS_REMOTE_IMAGES, "img/"), encoding="utf-8")


def main() -> int:
    missing = [src for src, _dst in FILES if not (NODE / src).exists()]
    if missing:
        print(f"missing in node_modules (run npm ci): {', '.join(missing)}", file=sys.stderr)
        return 1
    for src, dst in FILES:
        source, target = NODE / src, VENDOR / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    localise_krds_css(VENDOR / "krds" / "krds.min.css")
    return 0


if __name__ == "__main__":
    sys.exit(main())
