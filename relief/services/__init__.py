"""Every write in relief, one module per concern: `standards`, `applications`
(the procedure), `benefits` (rechecks, exits, stops) and `payroll`.  Each
service runs in a transaction and records an audit event."""
