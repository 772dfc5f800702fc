"""The benefit pages: KPIs and their measurements (`kpis`), and the programme's costs
(`programme`)."""
