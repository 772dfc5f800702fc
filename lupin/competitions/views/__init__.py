"""Competition pages by audience: `public` (notice and documents), `supplier` (following,
questions, tenders and receipts), `buyer` (setting up and running), `evaluation` (opening,
scoring, award and contract)."""
