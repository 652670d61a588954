"""Jobs: files in, a report dict out (pay, gap, cost, backpay). Engine choice lives here; no rendering."""
