"""Where the bundled data lives (the equipment catalogue, the layout schema, the samples)
and how a layout name becomes a default file name."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
LAYOUTS = ROOT / "layouts"
CATALOGUE_FILE = RESOURCES / "catalogue.json"
SCHEMA_FILE = RESOURCES / "layout.schema.json"
DEFAULT_SAMPLE = LAYOUTS / "gb200-pod.json"
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def file_slug(name: str) -> str:
    """A default file-name stem for a layout name: 'GB200 Pod (A)' -> 'gb200-pod-a'."""
    s = "".join(c.lower() if c.isalnum() else "-" for c in name).strip("-")
    while "--" in s:
        s = s.replace("--", "-")
    return s or "layout"
