"""Where the bundled data lives: the equipment catalogue, the layout schema and the samples."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
LAYOUTS = ROOT / "layouts"
CATALOGUE_FILE = RESOURCES / "catalogue.json"
SCHEMA_FILE = RESOURCES / "layout.schema.json"
DEFAULT_SAMPLE = LAYOUTS / "gb200-pod.json"
