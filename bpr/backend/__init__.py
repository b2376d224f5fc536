"""The external programs bpr runs (Graphviz), each behind one small module."""
