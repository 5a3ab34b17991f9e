"""One module per SymBench task; each defines ``TASK``. Loaded through the registry."""
