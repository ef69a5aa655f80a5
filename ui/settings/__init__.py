"""The settings window: one dialog with a page each for shops, senders, carrier accounts, printers and the column
mapping wizard (``window.SettingsWindow``)."""
