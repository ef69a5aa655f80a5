"""Several stations on one store: the store's connection test, join codes, the station's name and preferences."""
