"""Tools around the cleaner: explain, the HTML report, evaluation, near-duplicate detection."""
