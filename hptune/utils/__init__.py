"""Internal utilities: random-state handling, validation, scikit-learn compatibility."""
