"""The Monte Carlo forecasting engine: pure numpy, no I/O, a Generator passed in.

- ``percentiles``: nearest-rank percentiles and on-time probabilities of trial results.
- ``pert``: beta-PERT (λ = 4) effort sampling.
- ``throughput``: "when will N items be done" / "how many by day D" from daily history.
- ``network``: task networks with unlimited people (longest path).
- ``schedule``: items scheduled over people's capacity calendars, skills and priorities.
"""
