"""One module per `newsclean` subcommand; each exposes `register(subparsers)`.

cli.py lists them in the order `newsclean --help` shows them.
"""
