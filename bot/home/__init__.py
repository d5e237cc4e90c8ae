"""The App Home (the seeds' 驾驶舱): reps run their day from it, managers their team.

:mod:`~bot.home.service` reads what a Home shows, :mod:`~bot.home.publisher` publishes it in the
person's language, :mod:`~bot.home.refresher` republishes the open Homes a committed change
concerns, and :mod:`~bot.home.state` is what a person chose on theirs (period, pages);
:mod:`~bot.home.parts` wires them together.
"""
