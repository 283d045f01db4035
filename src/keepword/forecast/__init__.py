"""The Monte Carlo forecasting engine: pure numpy, no I/O, a Generator passed in.

- ``percentiles``: nearest-rank percentiles and on-time probabilities of trial results.
- ``pert``: beta-PERT (λ = 4) effort sampling.
- ``throughput``: "when will N items be done" / "how many by day D" from daily history.
- ``backtest``: replays real histories and scores throughput forecasts against them.
- ``rate_multiplier``: the calibrated model, which the backtest compares forecasts with.
- ``network``: task networks with unlimited people (longest path).
- ``schedule``: items scheduled over people's capacity calendars, skills and priorities.
"""

# What a forecast uses unless told: here, not beside the engine's numpy code, so that a
# command line can show them as its options' defaults without loading the engine.
DEFAULT_TRIALS = 10_000
DEFAULT_SEED = 20261123
