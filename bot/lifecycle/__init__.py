"""A claim's life after filing: follow-ups, stages, extensions, the sweep that reminds, warns and
reclaims, its schedule, and the public pool."""
