"""Profit per order, per day and per shop: the goods cost of each SKU (costs.py), each carrier account's price table
(prices.py), and the report that puts them against what the buyer paid (report.py). Money is Decimal, exact to the
fen; nothing is ever summed as a float."""
