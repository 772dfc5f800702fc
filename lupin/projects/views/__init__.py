"""Project pages, split by audience: `public` (anyone), `buyer` (the buyers' work)."""
