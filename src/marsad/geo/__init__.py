"""Geocoding: gazetteer look-up and disambiguation of place mentions."""
