"""Registry pages. Each view asks lifecycle/access.py first and writes only through services."""
