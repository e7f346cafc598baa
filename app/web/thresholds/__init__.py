"""thresholds blueprint."""
