"""Contract pages by audience: `public` (the list and a contract's follow-up page), `buyer`
(registering and changing a contract: terms, status, options, the purchase option, the pilot
and its scale-ups) and `phases` (development phases, milestones, go/no-go gates and
performance levels)."""
