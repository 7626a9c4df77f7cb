"""The application layer: the command line, and the only place that reads files and
environment variables, writes to the console, installs signal handlers or exits.

Everything below it takes text and values in and gives documents and text back.
"""
