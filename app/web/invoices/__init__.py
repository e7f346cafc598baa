"""invoices blueprint."""
