"""Side effects around the metrics and plots: figures written as PNG, and the run report."""
