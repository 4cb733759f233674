"""One connector module per source system; the only code that knows a source's shape."""
