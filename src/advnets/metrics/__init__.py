"""Metrics: the paper's Parzen-window estimate, sample-quality scores, and the theory on exact densities."""
