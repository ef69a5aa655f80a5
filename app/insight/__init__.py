"""Insight: carrier, shop and route scorecards, and delivery-time prediction (ETA), from the store's own history.

- :mod:`app.insight.facts`: per-parcel times (pickup delay, transit) by the carriers' trace times, read narrow;
- :mod:`app.insight.stats`: medians and percentiles;
- :mod:`app.insight.scorecards`: ``report carriers|shops|routes``;
- :mod:`app.insight.eta`: group statistics (route → carrier × destination → carrier) and one parcel's expected
  delivery, with a cache invalidated when new deliveries land;
- :mod:`app.insight.backtest`: the prediction's hit rate on held-out history.
"""
