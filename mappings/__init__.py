"""Shipped declarative mappings and code tables (data only)."""

from pathlib import Path

MAPPINGS_DIR = Path(__file__).resolve().parent
CODES_DIR = MAPPINGS_DIR / "codes"
