"""Adapters that put the cleaner inside other tools (datatrove); each imports its tool only when used."""
