"""contracts blueprint."""
