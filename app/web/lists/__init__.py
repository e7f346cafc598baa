"""lists blueprint."""
