"""Official application forms: declarative schemas, validation, paste extraction, eligibility, export."""
