"""Importing spreadsheets: any finance system's export, in one pass, with nothing lost or doubled.

The pipeline, one module a stage:

* ``sources`` (with ``workbooks`` and ``textfiles``): open a workbook (python-calamine) or a
  CSV/text file (encoding and delimiter detected) and stream the rows of each sheet with
  their numbers; ``bounds``: what a row may hold (its cells' text, its columns);
* ``synonyms`` and ``headers``: the fields and the names their columns go by; a header as
  Insyn compares it; ``sniff``: what a column's cells hold;
* ``profiles`` and ``saved``: known layouts (``imports/profiles/*.toml``, and those saved in
  the browser);
* ``layout``: a sheet's header, kind and columns, by profile, name and content; ``refusal``:
  what a user is told when the columns cannot be told;
* ``currency``: the currency of the amounts, and where it came from;
* ``cells`` and ``dates``: read amounts and dates, the notation decided per column;
* ``first_pass`` and ``scan``: the first pass over every sheet and table, into a ``plan``;
* ``records`` (with ``readers``): the second pass: each row a record, or issues with sheet,
  row and column;
* ``resolve`` and ``load`` (with ``register`` for contracts and fee income): write everything
  in one transaction, with provenance, never twice;
* ``run`` and ``report``: the whole flow for the CLI and the browser, and what it found;
  ``summary`` and ``command``: the command line's ``insyn import`` and ``insyn imports``.
"""
