"""reports blueprint."""
