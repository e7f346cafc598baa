"""Importing spreadsheets: any finance system's export, in one pass, with nothing lost or doubled.

The pipeline, one module a stage:

* ``sources``: open a workbook (python-calamine) or a CSV/text file (encoding and delimiter
  detected) and stream its rows with their row numbers;
* ``headers``: recognise the header row and match columns to fields by synonyms;
* ``profiles``: what is known about a source layout (``imports/profiles/*.toml``);
* ``cells``: read amounts, dates and ids, the notation decided per column;
* ``plan``: the first pass: find the table, choose the profile, learn each column;
* ``records``: the second pass: each row a record, or issues with sheet, row and column;
* ``load``: write everything in one transaction, with provenance, never twice;
* ``run``: the whole flow for the CLI and the browser.
"""
