"""The layout as data: hall, racks (columnar), cooling, liquid loops, power chain, workloads.

Qt-free. Views subscribe to ``Layout.changed``; every mutation goes through ``Layout``
methods so that each emits exactly one ``Change``.
"""

from twin.model.catalogue import Catalogue, CatalogueEntry, load_catalogue
from twin.model.equipment import (
    Cdu,
    Containment,
    CoolingUnit,
    Grille,
    Hall,
    ImmersionTank,
    Plant,
    PowerComponent,
    Site,
    Tile,
    Workload,
)
from twin.model.events import Change, ChangeKind
from twin.model.layout import Layout
from twin.model.racks import RACK_FIELDS, RackTable

__all__ = [
    "Catalogue", "CatalogueEntry", "load_catalogue", "Cdu", "Containment", "CoolingUnit", "Grille",
    "Hall", "ImmersionTank", "Plant", "PowerComponent", "Site", "Tile", "Workload", "Change", "ChangeKind",
    "Layout", "RACK_FIELDS", "RackTable",
]
