"""The HTML layer: safe parsing, pruning page furniture, lines with DOM hints, page type and metadata from the tree."""
