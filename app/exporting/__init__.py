"""Exports: tables written as spreadsheets and files people take home."""
