"""Dialogue pages by audience: `public` (the notice, feed, calendar), `supplier` (taking part),
`buyer` (running the dialogue), `report` (the equal-treatment report)."""
