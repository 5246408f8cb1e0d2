"""The environments/<env>/ folder: strict YAML reading, the loader, the writer, JSON Schemas."""
