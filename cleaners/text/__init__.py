"""The text layer: the rule table, structural detectors and metadata from text, shared by HTML and flattened pages."""
