"""The design-review report (PDF): title page, summary, views, capacity tables, alerts,
per-rack table, assumptions and catalogue sources; A4 or Letter, numbered pages.

Painted with ``QPdfWriter`` + ``QPainter`` (``QTextDocument`` for paragraphs), so it
belongs to the GUI layer; the numbers come from ``twin.engine.export.result_document``.
Modules: ``builder`` (entry point), ``content`` and ``assumptions`` (sections),
``titlepage``, ``blocks`` (flowing content), ``pages`` (pagination, header, footer),
``style`` (type and colour), ``fmt`` (how numbers print).
"""

from twin.report.pdf.builder import ReportInfo, ReportSource, write_report

__all__ = ["ReportInfo", "ReportSource", "write_report"]
