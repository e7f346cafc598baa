"""Managing accounts (administrators)."""
