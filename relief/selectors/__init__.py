"""Every read of relief records, scoped to the user's jurisdiction, one
module per concern: `standards`, `applications`, `benefits`, `payroll`."""
