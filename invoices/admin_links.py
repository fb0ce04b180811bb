"""The admin's view of download links and their uses (implemented by the links work)."""
