"""vendors blueprint."""
