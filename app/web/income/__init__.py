"""income blueprint."""
