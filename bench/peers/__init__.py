"""Peers that dxgraph is measured against: the floor, raw SQL and PostGraphile (node)."""
