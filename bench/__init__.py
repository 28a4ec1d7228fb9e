"""Benchmarks that print figures; run each as a script from the repository root."""
