"""Reports: rollups, the weekly voice of the customer, CSAT."""
