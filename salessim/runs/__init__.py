"""Running replications: the one task function, where it runs (serial, processes, dask), the
resumable store, the outcome cache and the code fingerprint that keys them."""
