"""Library code of the dashboard: loaders, pure filters and chart builders, the briefing export.

Pages import from here; nothing in this package renders except ``ui``.
"""
