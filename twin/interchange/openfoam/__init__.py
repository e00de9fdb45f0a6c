"""OpenFOAM cases of a layout and their results: ``export_case`` writes a runnable case
(mesh, fields, dictionaries, an ``Allrun`` and a driver that ties rack exhausts to
intakes), ``read_result`` / ``compare`` bring the CFD's rack inlets back beside the
live model's."""

from .export import CaseSummary, export_case

__all__ = ["CaseSummary", "export_case"]
