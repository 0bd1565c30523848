"""What a replication produced: the :class:`~salessim.results.result.Result` and its tables,
the KPI formulas, and the one table of KPI names, labels, units and good directions."""
