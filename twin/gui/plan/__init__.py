"""The 2-D plan: a pyqtgraph view of the floor to scale, its heatmap, airflow arrows and
the mouse tools (pick, drag, rubber band, drop) that edit the layout through the Editor."""
