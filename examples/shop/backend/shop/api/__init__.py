"""HTTP API: JSON routes under ``/api/v1``."""
