"""Documentation and test-coverage rules (DOCxxx, TSTxxx, SUPxxx): one module per rule, imported here in id order."""
