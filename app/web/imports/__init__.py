"""Importing spreadsheets in the browser."""
