"""Placement import: a creditor's CSV or XLSX file, validated row by row and upserted in batches.

The pure part (reading the file, checking the header, validating and normalising each row, the
error report) imports nothing from Django, so it is tested without a database; `services` and the
writers in `store_*` persist what the pure part produced.
"""
