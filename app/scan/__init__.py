"""The scan station: a packer scans a code (order id, platform order id or waybill number) and that order's label
prints at once through the print queue; with verify on, each item's SKU is scanned first (``ws.scan``)."""
