"""One document through the cleaner: its source, the input guard and decoding, the time limit, the named stages
from page text to record, and the provenance. cleaners.core is the public face of this package."""
