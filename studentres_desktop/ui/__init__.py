"""The PySide6 desktop interface: views (Designer files), controllers and Qt item models."""
