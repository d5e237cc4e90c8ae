"""The dashboard's metrics (the seeds' 驾驶舱): what they mean (:mod:`~bot.metrics.definitions`),
over which periods (:mod:`~bot.metrics.periods`), and the reports built from the store's aggregate
queries (:mod:`~bot.metrics.service`)."""
