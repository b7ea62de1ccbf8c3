"""The drivers: they open run directories and caches, call the pure metrics and plots, and write files."""
