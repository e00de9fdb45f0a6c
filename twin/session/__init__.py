"""The editing session, Qt-free: layout, selection, colouring, heatmap choice, latest
result and solve status, with typed events (``twin.session.session``)."""

from twin.session.session import (
    LIVE_COLOURINGS, STATIC_LABELS, HeatmapChoice, Session, SessionEvents, SolvePhase,
    SolveStatus,
)

__all__ = ["LIVE_COLOURINGS", "STATIC_LABELS", "HeatmapChoice", "Session", "SessionEvents",
           "SolvePhase", "SolveStatus"]
