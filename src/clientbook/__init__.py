"""clientbook: run a relationship manager's client book from the Excel register."""

__version__ = "0.1.0"
