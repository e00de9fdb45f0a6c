"""The dock widgets around the views: properties inspector, metrics, alerts, workloads,
equipment palette and heatmap controls. Each observes the session and edits through the
Editor; none knows the main window."""
