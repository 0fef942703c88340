"""salesctl: a command-line sales tracker over one local SQLite file."""
