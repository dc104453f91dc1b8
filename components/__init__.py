"""Reusable dashboard pieces: pure plotly figure builders, safe HTML rendering, filter widgets, caching."""
