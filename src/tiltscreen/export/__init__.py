"""Research export: tidy tables, NWB, TRC/MOT, BIDS motion, and agreement statistics (apps layer)."""
