"""Reading and writing files: model YAML with positions, the loader and validator, model
files in folders, event logs, the JSON Schema, and the one atomic writer of outputs."""
