"""The model core: errors aside, everything a model is made of and the rules of its format.

Nothing here reads files or imports a higher layer (see docs/CONTRIBUTING-internals.md).
"""
