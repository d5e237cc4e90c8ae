"""Pytest glue for the fake Slack, which lives in the package as :mod:`bot.fakeslack`."""
