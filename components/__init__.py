"""Dashboard components (the dashboard issue)."""
