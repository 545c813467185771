"""Bytes to normalised text, and its language: charsets, Unicode and script normalisation, language id."""
