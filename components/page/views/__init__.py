"""The result cards: each owns its layout, its ids (from ``components.page.ids``) and its callbacks."""
