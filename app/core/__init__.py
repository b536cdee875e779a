"""What every area uses: access checks, the audit trail, base forms, text folding,
numbering, defaults, CSV, time buckets, the KDC classes and the demo data."""
