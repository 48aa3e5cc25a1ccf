"""Ownership rules (OWNxxx): one module per rule, imported here in id order."""
