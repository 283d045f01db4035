"""The demo portfolio (demo.yaml): the six stories of the product specification."""
