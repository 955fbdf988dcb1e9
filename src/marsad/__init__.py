"""marsad (مرصد): Arabic conflict reporting -> ACLED-compatible, geocoded, evidenced events.

Importing the package is cheap; the NLP pipeline and knowledge base load lazily on first use.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
