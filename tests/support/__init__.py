"""Test infrastructure: local sites, servers and the checks for the system programs some tests need."""
