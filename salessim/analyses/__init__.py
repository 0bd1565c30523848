"""Questions asked of the model: paired comparisons, sweeps, sensitivity, hire vs train,
commission design, pay tables and scheme search."""
