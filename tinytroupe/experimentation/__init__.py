"""experimentation."""
